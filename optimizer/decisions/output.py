"""Files of compare and frontier: JSON, CSV, a PNG and the report sections (CONTRACT 6)."""

from __future__ import annotations

import csv
import html
import importlib
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.decisions.compare import CompareResult
from optimizer.decisions.frontier import CSV_COLUMNS, FrontierResult
from optimizer.plotting import figure_class
from optimizer.report.sections import Section
from optimizer.solve import Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

COMPARE_CSV_COLUMNS = (
    "rank",
    "name",
    "section",
    "kind",
    "chosen_mw",
    "energy_mwh",
    "value",
    "required",
    "marginal_value_per_mw_year",
    "breakeven_price_per_mwh",
    "breakeven_direction",
    "breakeven_method",
    "breakeven",
    "breakeven_index_adder_per_mwh",
    "verdict",
    "group",
    "signed",
    "alternative",
    "fixed_fee",
    "saving_if_dropped",
    "value_relaxed",
)

STUDY_CSV_COLUMNS = (
    "objective_kind",
    "value_unit",
    "expected_cost_value",
    "cvar_value",
    "capacity_mw_by_year",
    "built_mw_by_year",
    "marginal_value_per_mw_by_year",
)
"""Appended to compare.csv for a study (a pathway or a scenario set); by-year values are
written ``year=value`` joined by ``;``."""


def compare_columns(result: CompareResult) -> list[str]:
    cols = list(COMPARE_CSV_COLUMNS)
    if result.objective_kind != "total_cost":
        cols += STUDY_CSV_COLUMNS
    return cols


def _json(obj: Any, path: Path) -> None:
    from optimizer.output import write_json

    write_json(obj, path)


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return v


# -- compare --------------------------------------------------------------------------------
def compare_rows(result: CompareResult) -> list[dict[str, Any]]:
    """The items ranked by value (required first), as compare.csv rows."""
    rows = []
    study = {"objective_kind": result.objective_kind, "value_unit": result.value_unit}
    for rank, it in enumerate(result.ranked(), start=1):
        d = {**it.to_dict(), **study}
        for k, v in d.items():
            if isinstance(v, dict) and k.endswith("_by_year"):
                d[k] = ";".join(f"{y}={x:.6g}" for y, x in v.items())
        rows.append(
            {
                "rank": rank,
                **{k: d.get(k) for k in compare_columns(result) if k != "rank"},
                "required": it.required,
            }
        )
    return rows


def compare_figure(result: CompareResult) -> Figure:
    """Horizontal bars of each item's value; required items are marked, not drawn."""
    ranked = result.ranked()
    cur = result.base.summary.get("currency", "")
    fig = figure_class()(figsize=(7.5, 0.45 * max(3, len(ranked)) + 1.2))
    ax = fig.add_subplot()
    names = [i.name for i in ranked][::-1]
    values = [(i.value or 0.0) for i in ranked][::-1]
    colors = ["#999999" if i.required else "#2a7ab0" for i in ranked][::-1]
    ax.barh(names, values, color=colors)
    top = max([abs(v) for v in values] + [1.0])
    for y, it in enumerate(ranked[::-1]):
        if it.required:
            ax.text(0, y, "  required (infeasible without it)", va="center", fontsize=8)
    ax.set_xlim(min(0.0, min(values)) * 1.1, top * 1.15)
    if result.objective_kind == "total_cost":
        ax.set_xlabel(f"value over the horizon ({cur}): objective without − with")
    else:
        ax.set_xlabel(f"value in {result.value_unit}: objective without − with")
    ax.set_title("What each offer and technology is worth")
    ax.grid(axis="x", alpha=0.3)
    return fig


def compare_section(result: CompareResult) -> Section:
    """The report.html section of compare: the report's ranked table in words
    (:func:`optimizer.report.decisions.compare_section`: what each item is, its value as a
    bar, marginal value and breakeven with what they mean, the verdict, signed and
    alternative offers; compare.png keeps :func:`compare_figure`)."""
    from optimizer.report.decisions import compare_section as report_section

    return report_section(result)


def write_compare(result: CompareResult, out_dir: str | Path) -> list[Path]:
    """compare.json, compare.csv, compare.png and report.html (with the compare section)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "compare.json", out / "compare.csv"]
    _json(result.to_dict(), paths[0])
    with paths[1].open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=compare_columns(result))
        w.writeheader()
        for row in compare_rows(result):
            w.writerow({k: _cell(v) for k, v in row.items()})
    if result.items:
        paths.append(out / "compare.png")
        compare_figure(result).savefig(paths[-1], dpi=110, bbox_inches="tight")
    paths.append(write_report_with(result.base, out / "report.html", [compare_section(result)]))
    return paths


# -- frontier -------------------------------------------------------------------------------
def frontier_figure(result: FrontierResult) -> Figure:
    """Cost per MWh against the CFE score (or emissions), and the marginal cost of each step."""
    cur = result.problem.scenario.currency
    ok = [p for p in result.points if p.status == "optimal"]
    bad = [p for p in result.points if p.status != "optimal"]
    fig = figure_class()(figsize=(8, 6.5))
    ax, ax2 = fig.subplots(2, 1, sharex=True)
    if result.mode == "cfe":
        xs = [p.cfe_score for p in ok]
        ax.set_title("Cost of 24/7 carbon-free energy")
        xlabel = "24/7 CFE score reached"
    else:
        xs = [p.emissions_tco2 for p in ok]
        ax.set_title("Cost of an emissions cap")
        xlabel = "location-based emissions, tCO2"
    ax.plot(xs, [p.cost_per_mwh for p in ok], "o-", color="#2a7ab0", label="optimal")
    if result.mode == "cfe":
        for p in bad:
            ax.axvline(p.cfe_target or 0.0, color="#cc4444", alpha=0.25, lw=1)
        if result.max_cfe_score is not None:
            ax.axvline(
                result.max_cfe_score,
                color="#cc4444",
                ls="--",
                lw=1.2,
                label=f"max reachable {result.max_cfe_score:.4f}",
            )
        if bad:
            ax.plot([], [], color="#cc4444", alpha=0.4, label="infeasible target")
    ax.set_ylabel(f"total cost per MWh served ({cur})")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    marg = [
        (
            x,
            p.marginal_cost_per_mwh_clean
            if result.mode == "cfe"
            else p.marginal_cost_per_tco2_abated,
        )
        for x, p in zip(xs, ok, strict=True)
    ]
    mx = [x for x, m in marg if m is not None and x is not None]
    my = [m for x, m in marg if m is not None and x is not None]
    ax2.step(mx, my, where="pre", color="#444444")
    ax2.plot(mx, my, ".", color="#444444")
    ax2.set_ylabel(
        f"marginal cost ({cur}/MWh clean)" if result.mode == "cfe" else f"marginal ({cur}/tCO2)"
    )
    ax2.set_xlabel(xlabel)
    ax2.grid(alpha=0.3)
    return fig


def frontier_rows(result: FrontierResult) -> list[dict[str, Any]]:
    return [{k: p.row().get(k) for k in CSV_COLUMNS} for p in result.points]


def frontier_section(result: FrontierResult) -> Section:
    """The report.html section of frontier: the report's table and chart
    (:func:`optimizer.report.decisions.frontier_section`: each point's status in words, the
    incremental cost beside the shadow price at the point; frontier.png keeps
    :func:`frontier_figure`)."""
    from optimizer.report.decisions import frontier_section as report_section

    return report_section(result)


def frontier_report_result(result: FrontierResult) -> Result | None:
    """The run the frontier's report page describes: the first optimal point."""
    for p in result.points:
        if p.status == "optimal" and p.summary is not None and p.dispatch is not None:
            return Result("optimal", p.summary, p.dispatch, result.problem)
    return None


def write_frontier(result: FrontierResult, out_dir: str | Path) -> list[Path]:
    """frontier.csv, frontier.json, frontier.png and report.html (with the frontier section)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "frontier.csv", out / "frontier.json", out / "frontier.png"]
    with paths[0].open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS))
        w.writeheader()
        for row in frontier_rows(result):
            w.writerow({k: _cell(v) for k, v in row.items()})
    _json(result.to_dict(), paths[1])
    frontier_figure(result).savefig(paths[2], dpi=110, bbox_inches="tight")
    base = frontier_report_result(result)
    if base is not None:
        paths.append(write_report_with(base, out / "report.html", [frontier_section(result)]))
    return paths


# -- report -----------------------------------------------------------------------------------
def write_report_with(result: Result, path: Path, sections: list[Section]) -> Path:
    """report.html through ``optimizer.report.write_report`` when it exists, else a plain page
    of our sections alone (self-contained, like the full report)."""
    try:
        write_report = getattr(importlib.import_module("optimizer.report"), "write_report", None)
    except ImportError:  # the report package is optional while it is being built
        write_report = None
    if write_report is not None:
        return Path(write_report(result, path, sections=sections))
    title = html.escape(str(result.summary.get("scenario", "dcopt")))
    body = "".join(
        f'<section id="{html.escape(s.anchor)}"><h2>{html.escape(s.title)}</h2>{s.html}</section>'
        for s in sections
    )
    path.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:1000px;"
        "margin:auto}} table{border-collapse:collapse} td,th{border:1px solid #ccc;"
        "padding:2px 6px} td.num{text-align:right} img{max-width:100%}</style></head>"
        f"<body><h1>{title}</h1>{body}</body></html>\n",
        encoding="utf-8",
    )
    return path
