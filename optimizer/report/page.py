"""report.html: one self-contained page (inline CSS, PNG charts as data: URIs, no script).

Sections, in order: headline, what to buy and build (and why), cost, dispatch of the
costliest week, monthly energy, hourly CFE heat map, prices, optional materials / embodied
carbon / footprint, extra sections given by the caller (compare, frontier), inputs, run details.
The meaning of each chart is in docs/report.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.report import analysis, figures
from optimizer.report.fmt import esc, get_path, money, mw, mwh, num, per_mwh, percent, tco2
from optimizer.report.inputs import inputs_html, nested_html
from optimizer.report.sections import Section, figure_to_html, table_html

if TYPE_CHECKING:
    from optimizer.solve import Result

log = logging.getLogger(__name__)

OPTIONAL_BLOCKS = (
    ("materials", "Raw materials"),
    ("embodied_carbon", "Embodied carbon"),
    ("footprint", "Carbon footprint of compute"),
)
"""Summary keys added by other features; rendered as tables when present."""

CSS = """
:root { --ink:#1d1f23; --muted:#5b616b; --line:#dde1e6; --bg:#f6f7f9; --accent:#1f6fb4; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color:var(--ink); background:#fff; }
header { background:#13283f; color:#fff; padding:22px 32px 18px; }
header h1 { margin:0 0 4px; font-size:24px; font-weight:600; }
header p { margin:0; color:#c9d6e4; font-size:14px; }
nav { position:sticky; top:0; z-index:1; background:#fff; border-bottom:1px solid var(--line);
  padding:6px 32px; font-size:13px; }
nav a { color:var(--accent); text-decoration:none; margin-right:14px; white-space:nowrap; }
main { max-width:1200px; margin:0 auto; padding:8px 32px 40px; }
section { border-bottom:1px solid var(--line); padding:10px 0 18px; }
h2 { font-size:20px; margin:18px 0 8px; }
h3 { font-size:16px; margin:16px 0 6px; }
h4 { font-size:14px; margin:12px 0 4px; }
p.note, .note { color:var(--muted); font-size:13px; }
.kpis { display:grid; grid-template-columns:repeat(3, 1fr); gap:12px;
  margin:14px 0; }
.kpi { background:var(--bg); border:1px solid var(--line); border-radius:8px; padding:12px 14px; }
.kpi .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.03em; }
.kpi .big { font-size:22px; font-weight:600; display:block; margin-top:2px; }
.kpi .sub { color:var(--muted); font-size:12px; }
table { border-collapse:collapse; margin:6px 0 10px; font-size:13px; display:block;
  max-width:100%; overflow-x:auto; }
th, td { border-bottom:1px solid var(--line); padding:4px 10px; text-align:left;
  vertical-align:top; }
th { background:var(--bg); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
tr.total td { font-weight:600; border-top:2px solid var(--ink); }
img { max-width:100%; height:auto; display:block; margin:8px 0; }
ul.why li { margin:4px 0; }
.banner { padding:10px 14px; border-radius:6px; margin:12px 0; }
.banner.warn { background:#fff4e5; border:1px solid #f0b35a; }
.banner.bad { background:#fdecea; border:1px solid #e0837a; }
details summary { cursor:pointer; color:var(--accent); font-size:13px; }
footer { color:var(--muted); font-size:12px; max-width:1200px; margin:0 auto; padding:0 32px 30px; }
@media print { nav { display:none; } section { break-inside:avoid-page; } }
"""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _kpi(label: str, value_html: str, sub: str = "") -> str:
    sub_html = f'<span class="sub">{sub}</span>' if sub else ""
    return (
        f'<div class="kpi"><span class="label">{esc(label)}</span>'
        f'<span class="big">{value_html}</span>{sub_html}</div>'
    )


def headline(summary: dict[str, Any]) -> str:
    """The six numbers a buyer asks for first."""
    cur = summary.get("currency", "")
    total = summary.get("total_cost")
    served = summary.get("served_load_mwh")
    em = summary.get("emissions_tco2") or {}
    cfe = summary.get("cfe_score")
    target = summary.get("cfe_target")
    loc = em.get("location_based")
    mkt = em.get("market_based")
    intensity = ""
    if loc is not None and served:
        intensity = f"{loc / served:.3f} tCO2 per MWh served"
    mkt_sub = ""
    if mkt is not None and served:
        mkt_sub = f"{mkt / served:.3f} tCO2/MWh; certificate-covered imports count zero"
    cards = [
        _kpi(
            "Total cost",
            num(["total_cost"], total, money(total, cur) if total is not None else ""),
            "over the modelled horizon",
        ),
        _kpi(
            "Cost per MWh served",
            num(
                ["cost_per_mwh"],
                summary.get("cost_per_mwh"),
                per_mwh(summary["cost_per_mwh"], cur) if summary.get("cost_per_mwh") else "",
            ),
        ),
        _kpi(
            "Served load",
            num(["served_load_mwh"], served, mwh(served) if served is not None else ""),
        ),
        _kpi(
            "Emissions, location-based",
            num(["emissions_tco2", "location_based"], loc, tco2(loc) if loc is not None else ""),
            intensity,
        ),
        _kpi(
            "Emissions, market-based",
            num(["emissions_tco2", "market_based"], mkt, tco2(mkt) if mkt is not None else ""),
            mkt_sub,
        ),
        _kpi(
            "24/7 CFE score",
            num(["cfe_score"], cfe, percent(cfe) if cfe is not None else ""),
            (
                "target " + num(["cfe_target"], target, percent(target))
                if target is not None
                else "no target set"
            ),
        ),
    ]
    return f'<div class="kpis">{"".join(cards)}</div>'


def _items(result: Result) -> list[dict[str, Any]]:
    """Every PPA and technology: name, type, chosen MW, limit, storage, energy, cost."""
    sc = result.problem.scenario
    s = result.summary
    d = result.dispatch
    dt = result.problem.dt
    by_item = s.get("cost_by_item", {})
    out: list[dict[str, Any]] = []
    specs: list[tuple[bool, Any]] = [(True, q) for q in sc.ppa_offers]
    specs += [(False, t) for t in sc.technologies]
    for is_ppa, spec in specs:
        name = spec.name
        kind = f"PPA, {spec.kind.replace('_', '-')}" if is_ppa else spec.kind
        col = {
            "pay_as_produced": f"ppa_delivery_mw:{name}",
            "baseload": f"ppa_delivery_mw:{name}",
            "virtual": f"vppa_certificates_mw:{name}",
        }.get(spec.kind, f"output_mw:{name}")
        if spec.kind == "battery":
            col = f"discharge_mw:{name}"
        energy = float(d[col].sum() * dt) if d is not None and col in d else None
        out.append(
            {
                "name": name,
                "kind": kind,
                "chosen_mw": s.get("capacity_mw", {}).get(name),
                "min_mw": spec.min_mw,
                "max_mw": spec.max_mw,
                "storage_mwh": s.get("storage_mwh", {}).get(name),
                "energy_mwh": energy,
                "cost": sum(by_item.get(name, {}).values()),
            }
        )
    return out


def _decision(item: dict[str, Any]) -> str:
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


def buy_and_build(result: Result) -> str:
    """Tables of what to build, contract and buy, then the reasons in plain sentences."""
    s = result.summary
    cur = s.get("currency", "")
    items = _items(result)
    rows = []
    for it in items:
        name = it["name"]
        storage = ""
        if it["storage_mwh"] is not None:
            e = it["storage_mwh"]
            p = it["chosen_mw"] or 0.0
            hours = f" ({e / p:.1f} h)" if p > 1e-9 else ""
            storage = num(["storage_mwh", name], e, f"{e:,.1f} MWh{hours}")
        chosen = num(["capacity_mw", name], it["chosen_mw"], mw(it["chosen_mw"] or 0.0))
        limit = mw(it["max_mw"]) if it["max_mw"] is not None else "no limit"
        energy = mwh(it["energy_mwh"]) if it["energy_mwh"] is not None else ""
        rows.append(
            "<tr>"
            f"<td>{esc(name)}</td><td>{esc(it['kind'])}</td>"
            f'<td class="num">{chosen}</td><td>{esc(_decision(it))}</td>'
            f'<td class="num">{esc(limit)}</td><td class="num">{storage}</td>'
            f'<td class="num">{esc(energy)}</td><td class="num">{esc(money(it["cost"], cur))}</td>'
            "</tr>"
        )
    head = (
        "<tr><th>name</th><th>type</th><th class='num'>chosen</th><th>decision</th>"
        "<th class='num'>most allowed</th><th class='num'>storage</th>"
        "<th class='num'>energy over horizon</th><th class='num'>cost</th></tr>"
    )
    parts = []
    if rows:
        parts.append("<h3>Build and contract</h3>")
        parts.append(f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")
        parts.append(
            '<p class="note">Energy: solar and wind show their available output (before '
            "curtailment), PPAs their delivery (virtual PPAs: certificates), batteries their "
            "discharge. Cost: capital, fixed O&amp;M, PPA payments and settlement over the "
            "horizon.</p>"
        )
        bars = [(it["name"], float(it["chosen_mw"] or 0.0), it["max_mw"]) for it in items]
        parts.append(
            figure_to_html(figures.capacity_figure(bars), "chosen capacity of every item, MW")
        )

    grid_rows = []
    by_item = s.get("cost_by_item", {})
    for o in result.problem.scenario.grid_offers:
        imp = s.get("grid_import_mwh", {}).get(o.name)
        peak = s.get("grid_peak_mw", {}).get(o.name)
        grid_rows.append(
            "<tr>"
            f"<td>{esc(o.name)}</td>"
            f'<td class="num">{num(["grid_import_mwh", o.name], imp, mwh(imp or 0.0))}</td>'
            f'<td class="num">{num(["grid_peak_mw", o.name], peak, mw(peak or 0.0))}</td>'
            f'<td class="num">{esc(money(sum(by_item.get(o.name, {}).values()), cur))}</td>'
            "</tr>"
        )
    parts.append("<h3>Buy from the grid</h3>")
    parts.append(
        "<table><thead><tr><th>offer</th><th class='num'>energy imported</th>"
        "<th class='num'>peak import</th><th class='num'>cost</th></tr></thead>"
        f"<tbody>{''.join(grid_rows)}</tbody></table>"
    )
    parts.append("<h3>Why</h3>")
    parts.append(
        '<ul class="why">' + "".join(f"<li>{r}</li>" for r in reasons(result, items)) + "</ul>"
    )
    return "\n".join(parts)


def _names(items: list[dict[str, Any]]) -> str:
    return ", ".join(f"<b>{esc(i['name'])}</b> ({esc(mw(i['chosen_mw'] or 0.0))})" for i in items)


def reasons(result: Result, items: list[dict[str, Any]]) -> list[str]:
    """Plain sentences (HTML) explaining the choice from the LP's own evidence."""
    s = result.summary
    cur = s.get("currency", "")
    served = s.get("served_load_mwh") or 0.0
    out: list[str] = []
    groups: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        groups.setdefault(_decision(it), []).append(it)
    if groups.get("at the most allowed"):
        out.append(
            f"Taken to the most allowed: {_names(groups['at the most allowed'])}. Each saves "
            "more than it costs even at its limit; a larger offer would be worth asking for "
            "(<code>dcopt compare</code> values each one)."
        )
    if groups.get("sized by the optimizer"):
        out.append(
            f"Sized between its limits: {_names(groups['sized by the optimizer'])}. At this "
            "size one more MW would cost as much as it saves."
        )
    if groups.get("at the least required"):
        out.append(f"Held at the least required: {_names(groups['at the least required'])}.")
    if groups.get("not chosen"):
        names = ", ".join(f"<b>{esc(i['name'])}</b>" for i in groups["not chosen"])
        out.append(f"Not chosen: {names}. Under these inputs it costs more than it saves.")
    shadow = s.get("shadow_prices") or {}
    target = s.get("cfe_target")
    cfe_sp = shadow.get("cfe_per_mwh")
    if target is not None and cfe_sp is not None:
        if cfe_sp > 1e-6:
            step_cost = cfe_sp * 0.01 * served
            out.append(
                f"The 24/7 CFE target of {percent(target)} binds and drives the clean "
                f"purchases: each MWh of carbon-free supply in the right hour is worth "
                f"{num(['shadow_prices', 'cfe_per_mwh'], cfe_sp, per_mwh(cfe_sp, cur))} at the "
                f"margin, so one more percentage point of target would cost about "
                f"{esc(money(step_cost, cur))} (a local, linear estimate)."
            )
        else:
            out.append(
                f"The 24/7 CFE target of {percent(target)} does not bind: the cheapest mix "
                "already reaches it."
            )
    cap_sp = shadow.get("emissions_cap_per_tco2")
    if cap_sp is not None:
        out.append(
            "The emissions cap "
            + (
                f"binds: each tCO2 less would cost "
                f"{num(['shadow_prices', 'emissions_cap_per_tco2'], cap_sp, money(cap_sp, cur))}."
                if cap_sp > 1e-6
                else "does not bind."
            )
        )
    mp = s.get("marginal_price_per_mwh")
    if mp and mp.get("load_weighted") is not None:
        lw = mp["load_weighted"]
        out.append(
            "Serving one more MWh of load would cost "
            f"{num(['marginal_price_per_mwh', 'load_weighted'], lw, per_mwh(lw, cur))}"
            f" on a load-weighted average (from {esc(per_mwh(mp['min'], cur))} to "
            f"{esc(per_mwh(mp['max'], cur))}; peaks carry demand charges and scarcity)."
        )
    em = s.get("emissions_tco2") or {}
    loc, mkt = em.get("location_based"), em.get("market_based")
    if loc is not None and mkt is not None and loc - mkt > 1e-6:
        out.append(
            f"Market-based emissions are {esc(tco2(loc - mkt))} below location-based ones: "
            "virtual-PPA certificates cover grid imports in the same hour."
        )
    curt = s.get("curtailment_mwh") or 0.0
    exp = s.get("export_mwh") or 0.0
    if curt > 1e-6:
        out.append(
            f"{num(['curtailment_mwh'], curt, mwh(curt))} of clean supply is curtailed: "
            "it is cheaper to over-build or over-contract than to store every MWh."
        )
    if exp > 1e-6:
        out.append(f"{num(['export_mwh'], exp, mwh(exp))} is exported.")
    return out


def cost_section(summary: dict[str, Any]) -> str:
    cur = summary.get("currency", "")
    total = summary.get("total_cost") or 0.0
    served = summary.get("served_load_mwh") or 0.0
    rows = []
    for cat, v in (summary.get("cost_breakdown") or {}).items():
        share = f"{v / total * 100:.1f}%" if total else ""
        per = per_mwh(v / served, cur) if served else ""
        rows.append(
            f"<tr><td>{esc(figures.CATEGORY_LABELS.get(cat, cat))}</td>"
            f'<td class="num">{num(["cost_breakdown", cat], v, money(v, cur))}</td>'
            f'<td class="num">{share}</td><td class="num">{esc(per)}</td></tr>'
        )
    rows.append(
        f'<tr class="total"><td>total cost</td>'
        f'<td class="num">{num(["total_cost"], total, money(total, cur))}</td>'
        f'<td class="num">100%</td><td class="num">'
        f"{esc(per_mwh(total / served, cur) if served else '')}</td></tr>"
    )
    carbon = summary.get("carbon_cost") or 0.0
    extra = ""
    if abs(carbon) > 1e-9:
        obj = summary.get("objective")
        extra = (
            f"<p>The carbon price adds {num(['carbon_cost'], carbon, money(carbon, cur))} to the "
            f"objective ({num(['objective'], obj, money(obj or 0.0, cur))}"
            "); it is not part of the total cost.</p>"
        )
    table = (
        "<table><thead><tr><th>category</th><th class='num'>amount</th>"
        "<th class='num'>share</th><th class='num'>per MWh served</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    by_item = summary.get("cost_by_item") or {}
    cats = [c for c in figures.CATEGORY_LABELS if any(c in v for v in by_item.values())]
    parts = [
        '<p class="note">All amounts are for the modelled horizon; capital is annualised '
        "(capital recovery factor) and scaled to the horizon. Negative amounts are income.</p>",
        table,
        extra,
    ]
    if by_item:
        parts.append(
            figure_to_html(
                figures.cost_figure(by_item, cur, cats), "cost of every offer and technology"
            )
        )
        item_rows = [
            {"item": k, **{figures.CATEGORY_LABELS.get(c, c): v.get(c) for c in cats}}
            for k, v in by_item.items()
        ]
        parts.append(
            "<details><summary>cost by item and category (table)</summary>"
            + table_html(item_rows)
            + "</details>"
        )
    return "\n".join(parts)


def _flows(result: Result) -> list[analysis.Flow]:
    kinds: dict[str, str] = {t.name: t.kind for t in result.problem.scenario.technologies}
    assert result.dispatch is not None
    return analysis.supply_columns(result.dispatch, kinds)


def pick_week(result: Result, week: str | None) -> analysis.Week:
    """The costliest week, or the 7 local days from the date ``week`` (ISO) when given."""
    d = result.dispatch
    assert d is not None
    time = result.problem.time
    if week is None:
        return analysis.costliest_week(d, time)
    first = pd.Timestamp(week).date()
    dates = np.asarray([ts.date() for ts in time.index])
    starts = np.flatnonzero(dates == first)
    if not len(starts):
        log.warning("report week %s is outside the horizon; showing the costliest week", week)
        return analysis.costliest_week(d, time)
    start = int(starts[0])
    day = time.day_id[start]
    after = np.flatnonzero(time.day_id >= day + 7)
    stop = int(after[0]) if len(after) else len(d)
    return analysis.Week(start, stop, "chosen", float("nan"))


def dispatch_section(result: Result, flows: list[analysis.Flow], week_arg: str | None) -> str:
    d = result.dispatch
    assert d is not None
    cur = result.summary.get("currency", "")
    wk = pick_week(result, week_arg)
    label = wk.label(result.problem.time.index)
    why = {
        "marginal_value": (
            "the 7 local days with the highest marginal value of the served load, "
            f"Σ marginal price × served load = {esc(money(wk.value, cur))}"
        ),
        "served_load": "the 7 local days with the most served energy (no marginal prices)",
        "whole_horizon": "the whole horizon (7 days or fewer)",
        "chosen": "the week asked for",
    }[wk.basis]
    fig = figures.dispatch_figure(d, flows, wk, result.problem.dt, cur)
    return (
        f"<p><b>{esc(label)}</b>: {why}. Above zero: where the energy comes from; below zero: "
        "battery charging, export and curtailment. The black line is the served load.</p>"
        + figure_to_html(fig, f"dispatch {label}")
    )


def monthly_section(result: Result, flows: list[analysis.Flow]) -> str:
    d = result.dispatch
    assert d is not None
    monthly = analysis.monthly_energy(d, result.problem.time, flows)
    fig = figures.monthly_energy_figure(monthly, flows)
    shown = monthly.loc[:, (monthly.abs() > 1e-6).any(axis=0)]
    rows: list[dict[str, Any]] = [
        {"month": str(m), **{str(c): float(v) for c, v in r.items()}} for m, r in shown.iterrows()
    ]
    total = {"month": "total", **{c: float(shown[c].sum()) for c in shown.columns}}
    return (
        '<p class="note">MWh per local calendar month. Solar and wind show their available '
        "output; what was not used is the curtailment below zero.</p>"
        + figure_to_html(fig, "monthly energy by source")
        + "<details><summary>monthly energy (table, MWh)</summary>"
        + table_html([*rows, total])
        + "</details>"
    )


def cfe_section(result: Result) -> str:
    d = result.dispatch
    assert d is not None
    s = result.summary
    matrix = analysis.cfe_matrix(d, result.problem.time)
    v = matrix.values[~np.isnan(matrix.values)]
    full = int(np.count_nonzero(v >= 0.999))
    cfe = s.get("cfe_score")
    fig = figures.cfe_heatmap_figure(matrix, s.get("cfe_target"))
    return (
        f"<p>Share of each hour's served energy that is carbon-free (CONTRACT 3.6): the grid's "
        f"clean share of imports not covered by certificates, certificate-covered imports, "
        f"on-site clean output and PPA deliveries. Over the horizon: "
        f"{num(['cfe_score'], cfe, percent(cfe) if cfe is not None else '')}; "
        f"{full:,} of {len(v):,} hours are fully carbon-free. Red hours are where the next "
        "clean MWh would count.</p>" + figure_to_html(fig, "hourly CFE heat map, day by hour")
    )


def prices_section(result: Result) -> str:
    s = result.summary
    cur = s.get("currency", "")
    mp = s.get("marginal_price_per_mwh") or {}
    shadow = s.get("shadow_prices") or {}
    rows = []
    for key, label in (
        ("load_weighted", "marginal price, load-weighted mean"),
        ("mean", "marginal price, mean over steps"),
        ("min", "marginal price, lowest"),
        ("max", "marginal price, highest"),
    ):
        v = mp.get(key)
        shown = num(["marginal_price_per_mwh", key], v, per_mwh(v, cur) if v is not None else "")
        rows.append(f"<tr><td>{label}</td><td class='num'>{shown}</td></tr>")
    cfe_sp = shadow.get("cfe_per_mwh")
    cap_sp = shadow.get("emissions_cap_per_tco2")
    cfe_text = per_mwh(cfe_sp, cur) if cfe_sp is not None else ""
    cap_text = money(cap_sp, cur) + "/tCO2" if cap_sp is not None else ""
    rows.append(
        "<tr><td>CFE target shadow price (value of one more clean MWh in the right hour)</td>"
        f"<td class='num'>{num(['shadow_prices', 'cfe_per_mwh'], cfe_sp, cfe_text)}</td></tr>"
    )
    rows.append(
        "<tr><td>emissions cap shadow price (cost of one tCO2 less)</td>"
        f"<td class='num'>{num(['shadow_prices', 'emissions_cap_per_tco2'], cap_sp, cap_text)}"
        "</td></tr>"
    )
    parts = [
        '<p class="note">The marginal price of a step is the dual of its energy balance: what '
        "one more MWh of load in that step would add to the optimal cost (energy, demand "
        "charges, carbon goals and all). A shadow price of — means the goal is not set.</p>",
        f"<table><tbody>{''.join(rows)}</tbody></table>",
    ]
    d = result.dispatch
    if d is not None and "marginal_price_per_mwh" in d:
        fig = figures.price_figure(d, np.asarray(result.problem.time.hour), cur)
        parts.append(figure_to_html(fig, "marginal price duration curve and hourly profile"))
    return "\n".join(parts)


def footprint_sections(summary: dict[str, Any], taken: set[str]) -> list[Section]:
    """Materials, embodied carbon and footprint of compute, when the summary has them.

    The materials feature's own section (``optimizer.materials.report.footprint_section``)
    is used when it is installed and the caller did not pass one; below it, and instead of
    it otherwise, every number of the three blocks as tables (each with its ``data-key``).
    """
    present = [(k, t) for k, t in OPTIONAL_BLOCKS if summary.get(k) is not None]
    if not present:
        return []
    generic = "\n".join(f"<h3>{esc(t)}</h3>" + nested_html(k, summary[k]) for k, t in present)
    curated: Section | None = None
    if "footprint" not in taken:
        try:
            from optimizer.materials.report import footprint_section

            curated = footprint_section(summary)
        except Exception:  # an optional feature must not cost the whole report
            log.warning(
                "the materials section failed; showing its numbers as tables", exc_info=True
            )
    if curated is not None:
        html = (
            curated.html
            + "<details><summary>every number (tables)</summary>"
            + generic
            + "</details>"
        )
        return [Section(curated.title, html, curated.anchor or "footprint")]
    anchor = "footprint-numbers" if "footprint" in taken else "footprint"
    return [Section("Materials and carbon footprint", generic, anchor)]


def run_details(summary: dict[str, Any]) -> str:
    solver = summary.get("solver") or {}
    rows: dict[str, Any] = {
        "status": summary.get("status"),
        "objective": summary.get("objective"),
        "solver": f"{solver.get('name', '')} {solver.get('algorithm', '')}".strip(),
        "rows × columns": f"{solver.get('rows', '')} × {solver.get('columns', '')}",
        "build seconds": summary.get("build_seconds"),
        "solve seconds": summary.get("solve_seconds"),
    }
    for k, v in (summary.get("versions") or {}).items():
        rows[f"version of {k}"] = v
    return table_html([{"item": k, "value": v} for k, v in rows.items()])


def render(result: Result, sections: Iterable[Section] = (), week: str | None = None) -> str:
    """The whole report as one HTML string."""
    s = result.summary
    p = result.problem
    name = p.scenario.name
    horizon = s.get("horizon") or {}
    hours = horizon.get("hours", p.periods * p.dt)
    start = p.time.index[0]
    sub = (
        f"{hours:,.0f} hours from {start:%d %b %Y %H:%M} ({p.scenario.site.timezone}), "
        f"{p.time.horizon_fraction * 100:.1f}% of a year · money in {p.scenario.currency} · "
        f"status: {s.get('status', result.status)}"
    )
    body: list[Section] = []
    status = result.status
    banner = ""
    if status != "optimal":
        cls = "warn" if result.dispatch is not None else "bad"
        msg = result.message or s.get("message", "")
        banner = f'<div class="banner {cls}"><b>{esc(status)}</b>: {esc(msg)}</div>'
        diag = s.get("diagnosis") or result.diagnosis
        if diag:
            banner += table_html([{"item": k, "value": v} for k, v in diag.items()])
    if result.dispatch is not None:
        flows = _flows(result)
        body.append(Section("Headline", banner + headline(s), "headline"))
        body.append(Section("What to buy and build, and why", buy_and_build(result), "decision"))
        body.append(Section("Cost", cost_section(s), "cost"))
        body.append(
            Section(
                "Dispatch of the costliest week", dispatch_section(result, flows, week), "dispatch"
            )
        )
        body.append(Section("Monthly energy by source", monthly_section(result, flows), "monthly"))
        body.append(Section("Hourly carbon-free energy", cfe_section(result), "cfe"))
        body.append(Section("Prices and shadow prices", prices_section(result), "prices"))
    else:
        body.append(Section("Result", banner or "<p>No solution.</p>", "headline"))
    sections = list(sections)
    body.extend(footprint_sections(s, taken={_slug(x.anchor or x.title) for x in sections}))
    body.extend(sections)
    body.append(Section("Inputs", inputs_html(p), "inputs"))
    body.append(Section("Run details", run_details(s), "run"))

    used: set[str] = set()
    nav, html_sections = [], []
    for sec in body:
        anchor = _slug(sec.anchor or sec.title)
        while anchor in used:
            anchor += "-x"
        used.add(anchor)
        nav.append(f'<a href="#{anchor}">{esc(sec.title)}</a>')
        html_sections.append(
            f'<section id="{anchor}"><h2>{esc(sec.title)}</h2>\n{sec.html}\n</section>'
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(name)} — dcopt report</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(name)}</h1><p>{esc(sub)}</p></header>"
        f"<nav>{''.join(nav)}</nav><main>{''.join(html_sections)}</main>"
        f"<footer>Made by dcopt {esc((s.get('versions') or {}).get('dcopt', ''))}. "
        "Definitions: CONTRACT.md and docs/report.md of the dcopt project.</footer>"
        "</body></html>\n"
    )


__all__ = ["get_path", "render"]
