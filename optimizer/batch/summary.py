"""The batch's results table, its text summary and its plot.

``results.parquet`` has one row per case in sweep order, columns:
``case_id``; one column per dotted path of the sweep (the value the case used);
``status`` (optimal | infeasible | time_limit | error | failed, or pending when the batch
was interrupted before the case finished); ``message`` (the reason for any status but
optimal); ``objective``, ``total_cost``, ``cfe_score``, ``emissions_location_tco2``,
``emissions_market_tco2``, ``served_load_mwh``, ``cost_per_mwh``; ``capacity_mw.<name>``
per technology and PPA, ``storage_mwh.<name>`` per battery; ``grid_import_mwh:<offer>``
per grid offer (energy imported under it); ``cost_<category>`` per category of the case's
``cost_breakdown`` (energy, demand, ppa, network_capacity, levies, ...); for a sweep whose
cases are scenario sets (CONTRACT 9) also ``expected_cost``, ``cvar_cost``, ``var_cost``,
``worst_cost`` (summary.json → ``risk``) and for pathways (CONTRACT 10)
``levelised_cost_per_mwh`` (summary.json → ``present_value``); ``currency`` (the
scenario's ISO 4217 code, the unit of every money column); ``build_seconds``,
``solve_seconds``; and ``scenario_hash``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.batch.cases import PreparedCase
from optimizer.batch.sweep import Sweep
from optimizer.scenario.overrides import parse_path

NUMBERS = (
    "objective",
    "total_cost",
    "cfe_score",
    "emissions_location_tco2",
    "emissions_market_tco2",
    "served_load_mwh",
    "cost_per_mwh",
)
TIMINGS = ("build_seconds", "solve_seconds")
RISK = ("expected_cost", "cvar_cost", "var_cost", "worst_cost")
"""Scenario sets: summary.json → ``risk`` (the objective is (1−ω)·expected + ω·CVaR)."""
PATHWAY = ("levelised_cost_per_mwh",)
"""Pathways: summary.json → ``present_value`` (``objective`` is the present value)."""


def get_path(data: Any, dotted: str) -> Any:
    """The value at a dotted path of a raw scenario (None when absent)."""
    node = data
    for part in parse_path(dotted):
        if isinstance(part, tuple):
            if not isinstance(node, list):
                return None
            key = part[0]
            named = [it for it in node if isinstance(it, dict) and str(it.get("name")) == key]
            if named:
                node = named[0]
            elif key.lstrip("-").isdigit() and -len(node) <= int(key) < len(node):
                node = node[int(key)]
            else:
                return None
        else:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
    return node


def _column(values: list[Any]) -> pd.Series:
    """Numbers stay numbers, text stays text; anything mixed or nested becomes JSON text."""
    present = [v for v in values if v is not None]
    if all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
    if all(isinstance(v, str) for v in present):
        return pd.Series(values, dtype="string")
    return pd.Series(
        [None if v is None else json.dumps(v, sort_keys=True) for v in values], dtype="string"
    )


def _num(x: Any) -> float:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else math.nan


def results_frame(
    sweep: Sweep, cases: list[PreparedCase], summaries: dict[str, dict[str, Any]]
) -> pd.DataFrame:
    """One row per case (sweep order); cases without a summary are ``pending``."""
    cols: dict[str, Any] = {"case_id": pd.Series([c.case_id for c in cases], dtype="string")}
    for dotted in sweep.paths:
        cols[dotted] = _column([get_path(c.scenario, dotted) for c in cases])
    status: list[str] = []
    message: list[str | None] = []
    numbers: dict[str, list[float]] = {k: [] for k in (*NUMBERS, *TIMINGS)}
    capacity: dict[str, dict[str, float]] = {}
    imports: dict[str, dict[str, float]] = {}
    costs: dict[str, dict[str, float]] = {}
    currency: list[str] = []
    risk: dict[str, list[float]] = {k: [] for k in RISK}
    pathway: dict[str, list[float]] = {k: [] for k in PATHWAY}
    any_risk = any_pathway = False
    for case in cases:
        s = summaries.get(case.case_id)
        if s is None:
            status.append("pending")
            message.append(None)
            s = {}
        else:
            status.append(str(s.get("status")))
            message.append(s.get("message") or None)
        currency.append(str(s.get("currency") or case_currency(case.scenario)))
        emissions = s.get("emissions_tco2") or {}
        values = {
            "objective": s.get("objective"),
            "total_cost": s.get("total_cost"),
            "cfe_score": s.get("cfe_score"),
            "emissions_location_tco2": emissions.get("location_based"),
            "emissions_market_tco2": emissions.get("market_based"),
            "served_load_mwh": s.get("served_load_mwh"),
            "cost_per_mwh": s.get("cost_per_mwh"),
            "build_seconds": s.get("build_seconds"),
            "solve_seconds": s.get("solve_seconds"),
        }
        for k, v in values.items():
            numbers[k].append(_num(v))
        r = s.get("risk") if isinstance(s.get("risk"), dict) else None
        any_risk = any_risk or r is not None or _is_scenario_set(case.scenario)
        for k in RISK:
            risk[k].append(_num((r or {}).get(k)))
        pv = s.get("present_value") if isinstance(s.get("present_value"), dict) else None
        any_pathway = any_pathway or pv is not None
        for k in PATHWAY:
            pathway[k].append(_num((pv or {}).get(k)))
        for prefix in ("capacity_mw", "storage_mwh"):
            for name, v in (s.get(prefix) or {}).items():
                capacity.setdefault(f"{prefix}.{name}", {})[case.case_id] = _num(v)
        for name, v in (s.get("grid_import_mwh") or {}).items():
            imports.setdefault(f"grid_import_mwh:{name}", {})[case.case_id] = _num(v)
        for name, v in (s.get("cost_breakdown") or {}).items():
            costs.setdefault(f"cost_{name}", {})[case.case_id] = _num(v)
    cols["status"] = pd.Series(status, dtype="string")
    cols["message"] = pd.Series(message, dtype="string")
    for k in NUMBERS:
        cols[k] = pd.Series(numbers[k], dtype="float64")
    if any_risk:
        for k in RISK:
            cols[k] = pd.Series(risk[k], dtype="float64")
    if any_pathway:
        for k in PATHWAY:
            cols[k] = pd.Series(pathway[k], dtype="float64")
    for group in (capacity, imports, costs):
        for name, by_case in group.items():
            cols[name] = pd.Series(
                [by_case.get(c.case_id, math.nan) for c in cases], dtype="float64"
            )
    cols["currency"] = pd.Series(currency, dtype="string")
    for k in TIMINGS:
        cols[k] = pd.Series(numbers[k], dtype="float64")
    cols["scenario_hash"] = pd.Series([c.scenario_hash for c in cases], dtype="string")
    return pd.DataFrame(cols)


def _is_scenario_set(scenario: Any) -> bool:
    unc = scenario.get("uncertainty") if isinstance(scenario, dict) else None
    return isinstance(unc, dict) and bool(unc.get("scenarios"))


def case_currency(scenario: Any) -> str:
    """The raw scenario's currency (the schema's default USD when it names none)."""
    value = scenario.get("currency") if isinstance(scenario, dict) else None
    return str(value) if value else "USD"


def frame_currency(frame: pd.DataFrame) -> str:
    """The one currency of a batch's cases, or the codes joined by '/' if they differ."""
    if "currency" not in frame.columns or frame.empty:
        return "USD"
    codes = list(dict.fromkeys(str(c) for c in frame["currency"].dropna()))
    return "/".join(codes) if codes else "USD"


def _fmt(x: float, digits: int = 0) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def _value(x: Any) -> str:
    """A swept value as the sweep wrote it: a null (NaN in the frame's numeric column) as
    ``null``, not ``nan``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "null"
    return str(x)


def _label(row: pd.Series, paths: list[str]) -> str:
    parts = [f"{p}={_value(row[p])}" for p in paths if p in row.index]
    return f"{row['case_id']} ({', '.join(parts)})" if parts else str(row["case_id"])


def summary_text(
    frame: pd.DataFrame,
    paths: list[str],
    solved: int,
    skipped: int,
    wall_seconds: float,
    interrupted: bool = False,
) -> str:
    """A few lines a person reads at the end of a batch (also ``summary.txt``)."""
    counts = frame["status"].value_counts()
    by_status = ", ".join(f"{int(n)} {s}" for s, n in counts.items())
    lines = [
        f"{len(frame)} cases: {by_status}" + (" (interrupted)" if interrupted else ""),
        f"solved now: {solved} in {wall_seconds:,.1f} s; finished earlier (skipped): {skipped}",
    ]
    ok = frame[frame["status"].isin(["optimal", "time_limit"]) & frame["total_cost"].notna()]
    if len(ok):
        costs = ok["total_cost"].to_numpy(dtype=float)
        cheap = ok.iloc[int(np.argmin(costs))]
        dear = ok.iloc[int(np.argmax(costs))]
        cur = frame_currency(frame)
        lines.append(
            f"lowest total cost:  {cur} {_fmt(cheap['total_cost'])} — {_label(cheap, paths)}"
        )
        lines.append(
            f"highest total cost: {cur} {_fmt(dear['total_cost'])} — {_label(dear, paths)}"
        )
        if "cvar_cost" in ok.columns and ok["cvar_cost"].notna().any():
            exp = ok["expected_cost"].to_numpy(dtype=float)
            cvar = ok["cvar_cost"].to_numpy(dtype=float)
            objective = ok["objective"].to_numpy(dtype=float)
            low = ok.iloc[int(np.nanargmin(objective))]
            lines.append(
                f"scenario sets: expected cost {cur} {_fmt(np.nanmin(exp))} to "
                f"{_fmt(np.nanmax(exp))}, CVaR {cur} {_fmt(np.nanmin(cvar))} to "
                f"{_fmt(np.nanmax(cvar))}; lowest risk objective {cur} "
                f"{_fmt(low['objective'])} — {_label(low, paths)}"
            )
        cfe = ok["cfe_score"].to_numpy(dtype=float)
        if np.isfinite(cfe).any():
            best = ok.iloc[int(np.nanargmax(cfe))]
            lines.append(
                f"24/7 CFE score: {np.nanmin(cfe):.3f} to {np.nanmax(cfe):.3f}; highest — "
                f"{_label(best, paths)}"
            )
    bad = frame[~frame["status"].isin(["optimal", "pending"])]
    for _, row in bad.head(10).iterrows():
        lines.append(f"{row['case_id']} {row['status']}: {row['message'] or ''}".rstrip())
    if len(bad) > 10:
        lines.append(f"... and {len(bad) - 10} more not optimal (see results.parquet)")
    return "\n".join(lines)


MONEY_SCALES = ((1e9, "billion"), (1e6, "million"), (1e3, "thousand"))


def money_scale(values: np.ndarray) -> tuple[float, str]:
    """The divisor and its word for an axis of money (e.g. 1e6, "million"): no bare 1e6."""
    finite = np.abs(values[np.isfinite(values)])
    top = float(finite.max()) if finite.size else 0.0
    for factor, word in MONEY_SCALES:
        if top >= factor:
            return factor, word
    return 1.0, ""


SOLVED_COLOR = "#4878a8"
UNSOLVED_COLOR = "#b0b0b0"


def import_matplotlib() -> None:
    """Import what :func:`summary_figure` draws with (the Agg backend), never pyplot
    (Pyomo's hook that would import pyplot is dropped when the model is imported:
    :mod:`optimizer.pyomo_imports`)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.figure
    import matplotlib.patches


def summary_figure(frame: pd.DataFrame) -> Any:
    """The figure of summary.png (a matplotlib Figure; Agg, no display needed).

    Bars: total cost of an optimal case (blue); a time-limited case's cost in grey; a case
    with no cost (infeasible, error, failed, pending) as a grey hatched bar the height of
    the axis, labelled with its status, so every case of the legend's grey is drawn."""
    import_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    # Fixed margins, not layout="constrained": the layout engine draws the figure once more
    # to measure it, which doubled the time of this plot (the batch's serial tail).
    fig = Figure(figsize=(11, 4.2))
    fig.subplots_adjust(left=0.085, right=0.985, bottom=0.25, top=0.9, wspace=0.42)
    ax_case, ax_xy = fig.subplots(1, 2, width_ratios=[1.6, 1])
    x = np.arange(len(frame))
    status = frame["status"].astype(str).to_numpy()
    optimal = status == "optimal"
    cost_raw = frame["total_cost"].to_numpy(dtype=float)
    has_cost = np.isfinite(cost_raw) & np.isin(status, ["optimal", "time_limit"])
    factor, word = money_scale(cost_raw[has_cost])
    cost = cost_raw / factor
    unit = f"{frame_currency(frame)} {word}".strip()
    cfe = frame["cfe_score"].to_numpy(dtype=float)
    top = float(np.nanmax(cost[has_cost])) if has_cost.any() else 1.0
    ax_case.bar(x[optimal & has_cost], cost[optimal & has_cost], color=SOLVED_COLOR)
    ax_case.bar(x[~optimal & has_cost], cost[~optimal & has_cost], color=UNSOLVED_COLOR)
    gaps = ~has_cost
    ax_case.bar(
        x[gaps],
        np.full(int(gaps.sum()), top),
        color="#e4e4e4",
        edgecolor=UNSOLVED_COLOR,
        hatch="//",
        gid="unsolved",
    )
    if gaps.sum() <= 30:
        for xi in x[gaps]:
            ax_case.text(xi, top / 2, status[xi], rotation=90, ha="center", va="center", fontsize=7)
    ax_case.set_ylim(0, top * 1.22)  # headroom for the legend
    ax_case.set_ylabel(f"total cost ({unit})")
    ax_case.set_xlabel("case")
    ax_cfe = ax_case.twinx()
    ax_cfe.plot(x, cfe, "o", color="#2a9d5c", markersize=4)
    ax_cfe.set_ylabel("24/7 CFE score", color="#2a9d5c")
    ax_cfe.set_ylim(0, 1.02)
    if len(frame) <= 30:
        ax_case.set_xticks(x, list(frame["case_id"]), rotation=90, fontsize=7)
    ax_case.set_title("cost (bars) and CFE (dots) per case")
    ax_case.legend(
        handles=[
            Patch(color=SOLVED_COLOR, label="optimal"),
            Patch(
                facecolor="#e4e4e4",
                edgecolor=UNSOLVED_COLOR,
                hatch="//",
                label="grey: not solved to optimality (infeasible, time limit, error)",
            ),
        ],
        fontsize=7,
        loc="upper left",
        ncols=2,
        framealpha=0.9,
    )
    ax_xy.scatter(cfe[has_cost], cost[has_cost], s=14, color=SOLVED_COLOR)
    if has_cost.sum() <= 30:
        for cid, cx, cy in zip(
            frame["case_id"][has_cost], cfe[has_cost], cost[has_cost], strict=True
        ):
            ax_xy.annotate(str(cid).removeprefix("case-"), (cx, cy), fontsize=6)
    ax_xy.set_xlabel("24/7 CFE score")
    ax_xy.set_ylabel(f"total cost ({unit})")
    ax_xy.set_title("cost against CFE")
    return fig


def write_summary_plot(frame: pd.DataFrame, path: Path) -> Path:
    """summary.png: total cost and 24/7 CFE score per case, and cost against CFE."""
    summary_figure(frame).savefig(path, dpi=110)
    return path
