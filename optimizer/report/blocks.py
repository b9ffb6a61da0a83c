"""The data of the report's built-in sections (one function per section, no HTML): what
the templates in ``optimizer/report/templates`` show. Numbers stay numbers; the templates
format them with the filters of :mod:`optimizer.report.fmt` and mark the summary.json ones
with their key."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.model.flows import FlowIndex, FlowKind
from optimizer.report import analysis, figures
from optimizer.report.fmt import money

if TYPE_CHECKING:
    from optimizer.solve import Result

log = logging.getLogger(__name__)

BAR_PAD = 3.0
"""Margin of an HTML bar's track, % of its width on each side (bars never touch the edge)."""

_ENERGY_FLOW = {
    "pay_as_produced": FlowKind.PPA_DELIVERY,
    "baseload": FlowKind.PPA_DELIVERY,
    "virtual": FlowKind.VPPA_CERTIFICATES,
    "battery": FlowKind.DISCHARGE,
}
"""The flow whose energy the "what to buy" table shows, by item kind (else OUTPUT)."""


@dataclass(frozen=True)
class Segment:
    """A piece of an HTML bar: ``left`` and ``width`` in % of the track."""

    left: float
    width: float
    color: str
    title: str
    style: str = ""


class Scale:
    """Values → % of a bar's track, with :data:`BAR_PAD` % of margin on both sides."""

    def __init__(self, lo: float, hi: float) -> None:
        self.lo = min(lo, 0.0)
        self.span = max(hi, 0.0) - self.lo or 1.0

    def at(self, v: float) -> float:
        return BAR_PAD + (v - self.lo) / self.span * (100.0 - 2 * BAR_PAD)

    def width(self, v: float) -> float:
        return abs(v) / self.span * (100.0 - 2 * BAR_PAD)


def headline(s: dict[str, Any]) -> dict[str, Any]:
    em = s.get("emissions_tco2") or {}
    served = s.get("served_load_mwh")
    loc, mkt = em.get("location_based"), em.get("market_based")
    return {
        "s": s,
        "cur": s.get("currency", ""),
        "loc": loc,
        "mkt": mkt,
        "loc_intensity": loc / served if loc is not None and served else None,
        "mkt_intensity": mkt / served if mkt is not None and served else None,
    }


def decision(item: dict[str, Any]) -> str:
    c, lo, hi = item["chosen_mw"], item["min_mw"], item["max_mw"]
    if c is None:
        return "—"
    tol = 1e-6 * max(1.0, abs(hi or 0.0))
    if c <= tol:
        return "not chosen"
    if hi is not None and c >= hi - tol:
        return "at the most allowed"
    if lo > 0 and c <= lo + tol:
        return "at the least required"
    return "sized by the optimizer"


def items(result: Result, flows: FlowIndex) -> list[dict[str, Any]]:
    """Every PPA and technology: name, type, chosen MW, limit, storage, energy, cost."""
    sc = result.problem.scenario
    s = result.summary
    d = result.dispatch
    by_item = s.get("cost_by_item", {})
    out: list[dict[str, Any]] = []
    specs: list[tuple[bool, Any]] = [(True, q) for q in sc.ppa_offers]
    specs += [(False, t) for t in sc.technologies]
    for is_ppa, spec in specs:
        flow = flows.get(_ENERGY_FLOW.get(spec.kind, FlowKind.OUTPUT), spec.name)
        energy = None
        if d is not None and flow is not None and flow.column in d:
            energy = float(d[flow.column].sum() * result.problem.dt)
        chosen = s.get("capacity_mw", {}).get(spec.name)
        storage = s.get("storage_mwh", {}).get(spec.name)
        it = {
            "name": spec.name,
            "kind": f"PPA, {spec.kind.replace('_', '-')}" if is_ppa else spec.kind,
            "chosen_mw": chosen,
            "min_mw": spec.min_mw,
            "max_mw": spec.max_mw,
            "storage_mwh": storage,
            "hours": storage / chosen if storage is not None and chosen and chosen > 1e-9 else None,
            "energy_mwh": energy,
            "cost": sum(by_item.get(spec.name, {}).values()),
        }
        it["decision"] = decision(it)
        out.append(it)
    scale = Scale(0.0, max([max(i["max_mw"] or 0.0, i["chosen_mw"] or 0.0) for i in out] + [1.0]))
    for it in out:
        segs = []
        if it["max_mw"] is not None:
            segs.append(
                Segment(
                    scale.at(0), scale.width(it["max_mw"]), "#888888", "most allowed", "outline"
                )
            )
        segs.append(Segment(scale.at(0), scale.width(it["chosen_mw"] or 0.0), "#1f6fb4", "chosen"))
        it["bar"] = segs
    return out


def buy_and_build(result: Result, flows: FlowIndex) -> dict[str, Any]:
    s = result.summary
    its = items(result, flows)
    groups: dict[str, list[dict[str, Any]]] = {}
    for it in its:
        groups.setdefault(it["decision"], []).append(it)
    by_item = s.get("cost_by_item", {})
    grid = [
        {
            "name": o.name,
            "import_mwh": s.get("grid_import_mwh", {}).get(o.name),
            "peak_mw": s.get("grid_peak_mw", {}).get(o.name),
            "cost": sum(by_item.get(o.name, {}).values()),
        }
        for o in result.problem.scenario.grid_offers
    ]
    shadow = s.get("shadow_prices") or {}
    cfe_sp = shadow.get("cfe_per_mwh")
    em = s.get("emissions_tco2") or {}
    loc, mkt = em.get("location_based"), em.get("market_based")
    mp = s.get("marginal_price_per_mwh") or {}
    return {
        "s": s,
        "cur": s.get("currency", ""),
        "items": its,
        "grid": grid,
        "groups": groups,
        "cfe_sp": cfe_sp,
        "cfe_step_cost": (
            cfe_sp * 0.01 * (s.get("served_load_mwh") or 0.0) if cfe_sp is not None else None
        ),
        "cap_sp": shadow.get("emissions_cap_per_tco2"),
        "mp": mp if mp.get("load_weighted") is not None else None,
        "certificate_gap": loc - mkt if loc is not None and mkt is not None else None,
    }


def cost(s: dict[str, Any]) -> dict[str, Any]:
    """The cost table, and each item's cost as stacked HTML bars (income left of zero)."""
    cur = s.get("currency", "")
    total = s.get("total_cost") or 0.0
    served = s.get("served_load_mwh") or 0.0
    rows = [
        {
            "key": cat,
            "label": figures.CATEGORY_LABELS.get(cat, cat),
            "value": v,
            "share": v / total if total else None,
            "per_mwh": v / served if served else None,
        }
        for cat, v in (s.get("cost_breakdown") or {}).items()
    ]
    by_item: dict[str, dict[str, float]] = s.get("cost_by_item") or {}
    cats = [c for c in figures.CATEGORY_LABELS if any(c in v for v in by_item.values())]
    cats += sorted({c for v in by_item.values() for c in v} - set(cats))
    shown = [k for k, v in by_item.items() if any(abs(x) > figures.SHOWN_MONEY for x in v.values())]
    pos_tot = [sum(max(x, 0.0) for x in by_item[k].values()) for k in shown]
    neg_tot = [sum(min(x, 0.0) for x in by_item[k].values()) for k in shown]
    scale = Scale(min([*neg_tot, 0.0]), max([*pos_tot, 0.0]))
    bars = []
    used: list[str] = []
    for k in shown:
        pos = neg = 0.0
        segs = []
        for c in cats:
            v = by_item[k].get(c, 0.0)
            if abs(v) <= figures.SHOWN_MONEY:
                continue
            if c not in used:
                used.append(c)
            if v >= 0:
                left = scale.at(pos)
                pos += v
            else:
                neg += v
                left = scale.at(neg)
            title = f"{figures.CATEGORY_LABELS.get(c, c)}: {money(v, cur)}"
            segs.append(
                Segment(left, scale.width(v), figures.CATEGORY_COLORS.get(c, "#ccc"), title)
            )
        bars.append({"item": k, "segments": segs, "net": sum(by_item[k].values())})
    legend = [
        figures.LegendEntry(
            figures.CATEGORY_LABELS.get(c, c), figures.CATEGORY_COLORS.get(c, "#ccc")
        )
        for c in used
    ]
    item_rows = [
        {"item": k, **{figures.CATEGORY_LABELS.get(c, c): v.get(c) for c in cats}}
        for k, v in by_item.items()
    ]
    carbon = s.get("carbon_cost") or 0.0
    return {
        "s": s,
        "cur": cur,
        "rows": rows,
        "total": total,
        "total_per_mwh": total / served if served else None,
        "carbon": carbon if abs(carbon) > 1e-9 else None,
        "bars": bars,
        "zero": scale.at(0.0),
        "legend": legend,
        "item_rows": item_rows,
        "item_columns": ["item", *[figures.CATEGORY_LABELS.get(c, c) for c in cats]],
    }


def pick_week(result: Result, week: str | None) -> analysis.Week:
    """The costliest week, or the 7 local days from the date ``week`` (ISO) when given."""
    d = result.dispatch
    assert d is not None
    time = result.problem.time
    if week is None:
        return analysis.costliest_week(d, time)
    first = pd.Timestamp(week).date()
    dates = np.asarray(time.index.date)
    starts = np.flatnonzero(dates == first)
    if not len(starts):
        log.warning("report week %s is outside the horizon; showing the costliest week", week)
        return analysis.costliest_week(d, time)
    start = int(starts[0])
    day = time.day_id[start]
    after = np.flatnonzero(time.day_id >= day + 7)
    stop = int(after[0]) if len(after) else len(d)
    return analysis.Week(start, stop, "chosen", float("nan"))


def dispatch(
    result: Result, flows: FlowIndex, drawn: list[analysis.Drawn], week: str | None
) -> dict[str, Any]:
    d = result.dispatch
    assert d is not None
    cur = result.summary.get("currency", "")
    wk = pick_week(result, week)
    label = wk.label(result.problem.time.index)
    certificates = [f.column for f in flows.of(FlowKind.VPPA_CERTIFICATES) if f.column in d]
    chart = figures.dispatch_chart(
        d, drawn, certificates, wk, result.problem.dt, cur, f"dispatch {label}"
    )
    return {"label": label, "week": wk, "cur": cur, "chart": chart}


def monthly(result: Result, drawn: list[analysis.Drawn]) -> dict[str, Any]:
    d = result.dispatch
    assert d is not None
    table = analysis.monthly_energy(d, result.problem.time, drawn)
    chart = figures.monthly_chart(table, drawn, "monthly energy by source")
    shown = table.loc[:, (table.abs() > figures.SHOWN_MW).any(axis=0)]
    rows: list[dict[str, Any]] = [
        {
            "month": pd.Timestamp(f"{m}-01").strftime("%b %Y"),
            **{str(c): float(v) for c, v in r.items()},
        }
        for m, r in shown.iterrows()
    ]
    rows.append({"month": "total", **{str(c): float(v) for c, v in shown.sum().items()}})
    return {"chart": chart, "rows": rows, "columns": ["month", *map(str, shown.columns)]}


def cfe_colours(cells: np.ndarray) -> dict[str, Any]:
    """The least and most clean cells of the heat map and the names of their colours (the
    text under the map names only colours the map shows)."""
    if not len(cells):
        return {"lowest": None, "lowest_colour": None, "highest": None, "highest_colour": None}
    lo, hi = float(cells.min()), float(cells.max())
    return {
        "lowest": lo,
        "lowest_colour": figures.cfe_colour_name(lo),
        "highest": hi,
        "highest_colour": figures.cfe_colour_name(hi),
    }


def cfe(result: Result) -> dict[str, Any]:
    d = result.dispatch
    assert d is not None
    s = result.summary
    matrix = analysis.cfe_matrix(d, result.problem.time)
    cells = matrix.values[~np.isnan(matrix.values)]
    clean, steps = analysis.clean_steps(d)
    target = s.get("cfe_target")
    dt = result.problem.dt
    return {
        "s": s,
        "chart": figures.cfe_heatmap_chart(matrix, target, "hourly CFE heat map, day by hour"),
        "clean_steps": clean,
        "steps": steps,
        "step_words": "hours" if dt == 1 else f"{round(dt * 60)}-minute steps",
        "target": target,
        "cells_below": int(np.count_nonzero(cells < target - 1e-9)) if target is not None else None,
        "cells": len(cells),
        **cfe_colours(cells),
    }


def prices(result: Result) -> dict[str, Any]:
    s = result.summary
    cur = s.get("currency", "")
    d = result.dispatch
    chart = None
    if d is not None and "marginal_price_per_mwh" in d:
        chart = figures.price_chart(
            d,
            np.asarray(result.problem.time.hour),
            cur,
            "marginal price duration curve and hourly profile",
        )
    return {
        "s": s,
        "cur": cur,
        "mp": s.get("marginal_price_per_mwh") or {},
        "shadow": s.get("shadow_prices") or {},
        "chart": chart,
    }


def run_details(s: dict[str, Any]) -> dict[str, Any]:
    solver = s.get("solver") or {}
    rows = solver.get("rows")
    cols = solver.get("columns")
    size = f"{rows:,} × {cols:,}" if isinstance(rows, int) and isinstance(cols, int) else None
    return {
        "s": s,
        "cur": s.get("currency", ""),
        "solver": f"{solver.get('name', '')} {solver.get('algorithm', '')}".strip(),
        "size": size,
        "versions": {  # each library by name ("package"/"solver" say the same again)
            k: v for k, v in (s.get("versions") or {}).items() if k not in ("package", "solver")
        },
    }
