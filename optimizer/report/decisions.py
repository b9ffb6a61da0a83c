"""Report sections of ``dcopt compare`` and ``dcopt frontier``, rendered by the report's
templates (``compare.html.j2``, ``frontier.html.j2``) from the decisions' own results.

:func:`compare_section` shows the ranked items in words: rank, name, what it is, the MW
chosen, its value with the currency, its marginal value, a PPA's breakeven strike and
whether the scenario is feasible without it; a grid offer's group, whether it is signed
and its breakeven in words (``breakeven``), and every item's ``verdict``.
:func:`frontier_section` shows each point of the frontier with the incremental cost from
the previous point beside the shadow price of the CFE row (or of the emissions cap) at the
point, both labelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.ticker import PercentFormatter

from optimizer.report import figures
from optimizer.report.blocks import Scale, Segment
from optimizer.report.env import render
from optimizer.report.sections import Section, png_data_uri

if TYPE_CHECKING:
    from optimizer.decisions.compare import CompareItem, CompareResult
    from optimizer.decisions.frontier import FrontierPoint, FrontierResult

STATUS_WORDS = {
    "optimal": "optimal",
    "infeasible": "infeasible: the target cannot be reached",
    "time_limit": "stopped at the time limit",
    "error": "solver error",
}


def what_it_is(item: CompareItem) -> str:
    if item.section == "grid_offer":
        return "grid offer"
    if item.section == "ppa_offer":
        return f"PPA, {item.kind.replace('_', '-')}"
    return f"technology: {item.kind}"


def _marginal_words(v: float | None) -> str:
    if v is None:
        return ""
    if v > 1e-6:
        return "one more MW would lower the cost"
    if v < -1e-6:
        return "one more MW would raise the cost"
    return "sized where one more MW neither saves nor costs"


def _breakeven_words(direction: str | None) -> str:
    return {
        "up": "a lower strike buys more",
        "down": "a higher strike buys less",
    }.get(direction or "", "")


def compare_rows(result: CompareResult) -> list[dict[str, Any]]:
    """The ranked items as the section shows them (numbers kept, words added)."""
    ranked = result.ranked()
    values = [i.value for i in ranked if i.value is not None]
    scale = Scale(min([*values, 0.0]), max([*values, 0.0]))
    rows = []
    for rank, it in enumerate(ranked, start=1):
        bar = []
        if it.value is not None:
            left = scale.at(min(it.value, 0.0))
            color = "#2a7ab0" if it.value >= 0 else "#b2182b"
            bar.append(Segment(left, scale.width(it.value), color, "value"))
        rows.append(
            {
                "rank": rank,
                "name": it.name,
                "what": what_it_is(it),
                "is_grid": it.section == "grid_offer",
                "chosen_mw": it.chosen_mw,
                "energy_mwh": it.energy_mwh,
                "value": it.value,
                "required": it.required,
                "without_status": it.without_status,
                "marginal": it.marginal_value_per_mw_year,
                "marginal_words": _marginal_words(it.marginal_value_per_mw_year),
                "breakeven": it.breakeven_price_per_mwh if it.section == "ppa_offer" else None,
                "breakeven_words": _breakeven_words(it.breakeven_direction),
                "breakeven_text": it.breakeven if it.section != "ppa_offer" else None,
                "verdict": it.verdict,
                "group": it.group,
                "signed": it.signed,
                "alternative": it.alternative,
                "saving_if_dropped": it.saving_if_dropped,
                "bar": bar,
            }
        )
    return rows


def by_year_rows(result: CompareResult) -> tuple[list[str], list[dict[str, Any]]]:
    """A pathway's items by modelled year (CONTRACT 10): the years, and per item with MW
    in some year its MW standing, MW built and marginal value per MW-year in each year
    (``CompareItem.capacity_mw_by_year`` …); empty for a single year or a scenario set."""
    years: list[str] = []
    for it in result.ranked():
        for y in it.capacity_mw_by_year or {}:
            if y not in years:
                years.append(y)
    if len(years) < 2:
        return [], []
    rows = []
    for it in result.ranked():
        standing = it.capacity_mw_by_year or {}
        if not any(abs(v) > 1e-6 for v in standing.values()):
            continue
        built = it.built_mw_by_year or {}
        marginal = it.marginal_value_per_mw_by_year or {}
        rows.append(
            {
                "name": it.name,
                "cells": [
                    {
                        "standing": standing.get(y),
                        "built": built.get(y),
                        "marginal": marginal.get(y),
                    }
                    for y in years
                ],
            }
        )
    return years, rows


def compare_section(result: CompareResult) -> Section:
    """The report.html section of ``dcopt compare``: the ranked table in words, and for a
    pathway each item's MW standing and built by year."""
    years, year_rows = by_year_rows(result)
    html = render(
        "compare.html.j2",
        cur=result.base.summary.get("currency", ""),
        status=result.status,
        rows=compare_rows(result),
        zero=compare_zero(result),
        years=years,
        year_rows=year_rows,
    )
    return Section("Offers compared", html, "compare")


def compare_zero(result: CompareResult) -> float:
    values = [i.value for i in result.items if i.value is not None]
    return Scale(min([*values, 0.0]), max([*values, 0.0])).at(0.0)


def point_shadow(point: FrontierPoint, mode: str) -> float | None:
    """The shadow price of the swept row at a point, from the point's summary
    (``shadow_prices.cfe_per_mwh`` or ``shadow_prices.emissions_cap_per_tco2``)."""
    shadow = (point.summary or {}).get("shadow_prices") or {}
    v = shadow.get("cfe_per_mwh" if mode == "cfe" else "emissions_cap_per_tco2")
    return float(v) if v is not None else None


def frontier_rows(result: FrontierResult) -> list[dict[str, Any]]:
    rows = []
    for p in result.points:
        rows.append(
            {
                "target": p.cfe_target if result.mode == "cfe" else p.max_emissions_tco2,
                "status": STATUS_WORDS.get(p.status, p.status),
                "optimal": p.status == "optimal",
                "total_cost": p.total_cost,
                "cost_per_mwh": p.cost_per_mwh,
                "cfe_score": p.cfe_score,
                "emissions_tco2": p.emissions_tco2,
                "incremental": (
                    p.marginal_cost_per_mwh_clean
                    if result.mode == "cfe"
                    else p.marginal_cost_per_tco2_abated
                ),
                "shadow": point_shadow(p, result.mode) if p.status == "optimal" else None,
            }
        )
    return rows


def frontier_chart(result: FrontierResult, rows: list[dict[str, Any]]) -> figures.Chart:
    """Cost per MWh against the CFE score (or emissions); below it the incremental cost
    between points (steps) and the shadow price at each point (dots)."""
    cur = result.problem.scenario.currency
    ok = [r for r in rows if r["optimal"]]
    xkey = "cfe_score" if result.mode == "cfe" else "emissions_tco2"
    xs = np.array([r[xkey] for r in ok], dtype=float)
    fig = figures.new_figure(5.2)
    w = figures.WIDTH_IN - figures.LEFT_IN - figures.RIGHT_IN
    ax = figures.axes_at(fig, figures.LEFT_IN, 2.45, w, 2.55)
    ax2 = figures.axes_at(fig, figures.LEFT_IN, 0.5, w, 1.6, sharex=ax)
    ax.plot(xs, [r["cost_per_mwh"] for r in ok], "o-", color="#2a7ab0")
    ax.set_ylabel(f"{figures.plain(cur)}/MWh served", fontsize=9)
    ax.set_title("total cost per MWh served", fontsize=9, loc="left")
    ax.tick_params(labelbottom=False)
    figures.style_axes(ax, "both")
    inc = np.array([np.nan if r["incremental"] is None else r["incremental"] for r in ok])
    sp = np.array([np.nan if r["shadow"] is None else r["shadow"] for r in ok])
    ax2.step(xs, inc, where="pre", color="#444444")
    ax2.plot(xs, sp, "D", color="#b2182b", markersize=5)
    unit = "MWh clean" if result.mode == "cfe" else "tCO2"
    ax2.set_ylabel(f"{figures.plain(cur)}/{unit}", fontsize=9)
    ax2.set_title(
        "incremental cost between points and shadow price at each point", fontsize=9, loc="left"
    )
    figures.style_axes(ax2, "both")
    if result.mode == "cfe":
        ax2.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax2.set_xlabel("24/7 CFE score reached", fontsize=9)
    else:
        figures.thousands(ax2.xaxis)
        ax2.set_xlabel("location-based emissions, tCO2", fontsize=9)
    row = "CFE row" if result.mode == "cfe" else "emissions cap"
    legend = [
        figures.LegendEntry("cost per MWh served", "#2a7ab0", "line"),
        figures.LegendEntry(
            f"incremental cost from the previous point ({cur}/{unit})", "#444444", "line"
        ),
        figures.LegendEntry(
            f"shadow price of the {row} at the point ({cur}/{unit})",
            "#b2182b",
        ),
    ]
    return figures.Chart(png_data_uri(fig, tight=False), "cost against the goal", legend)


def frontier_section(result: FrontierResult) -> Section:
    """The report.html section of ``dcopt frontier``."""
    rows = frontier_rows(result)
    chart = frontier_chart(result, rows) if any(r["optimal"] for r in rows) else None
    html = render(
        "frontier.html.j2",
        cur=result.problem.scenario.currency,
        mode=result.mode,
        rows=rows,
        chart=chart,
        max_cfe=result.max_cfe_score,
        min_emissions=result.min_emissions_tco2,
    )
    return Section("Cost–carbon frontier", html, "frontier")


__all__ = ["compare_section", "frontier_section"]
