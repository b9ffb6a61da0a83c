"""The report's sections of a study (CONTRACT sections 9 and 10): the context of the risk
section (a scenario set: ``summary["risk"]`` and ``summary["scenarios"]``) and of the
pathway section (a horizon: ``summary["years"]``), their charts, and the sentences a buyer
or a planner reads. Templates: ``risk.html.j2`` and ``pathway.html.j2``.

Every number these sections show is marked with its summary.json key (the ``num`` macro).
A number whose text shows its magnitude while summary.json holds a signed value (the
hedge sentences: "lowers ... by USD 2,100,000" for a change of −2,100,000) carries the
CSS class ``mag``: its text rounds to ``abs(value)``.

Optional blocks, drawn when present (docs/risk.md):

- ``summary["hedges"] = {name: {"expected_cost_change": x, "cvar_change": y}}``: what
  signing an offer changes, *with it − without it* (negative: signing lowers the cost).
- ``summary["stochastic"] = {"vss": .., "evpi": .., "eev": .., "ws": ..}``: the value of
  the stochastic solution and the expected value of perfect information.

The per-step charts of the page draw the study's first case (:func:`optimizer.report.first_case`);
:func:`first_case_note` says which.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.report import figures
from optimizer.report.figures import Chart, LegendEntry
from optimizer.report.fmt import finite, money, mw, mwh, per_mwh, percent, tco2
from optimizer.report.sections import Section, png_data_uri

if TYPE_CHECKING:
    from optimizer.solve import Result

log = logging.getLogger(__name__)

TOL_MW = 1e-3
"""Capacities below this (MW) count as not built / not signed (solver noise)."""
TOL_MONEY = 0.5
"""Money changes below this (in the currency) count as no change."""
SCENARIOS_PER_TABLE = 6
"""Scenario columns per table of the risk section's cost breakdown (categories are its
rows): seven money columns fit the page's width (the browser test's overflow check)."""
MAX_LABELLED = 12
"""The distribution chart names its scenarios when there are at most this many."""
KIND_PALETTE = {
    "solar": "solar",
    "wind": "wind",
    "battery": "battery",
    "generator": "generator",
}
"""Palette of :data:`optimizer.report.figures.PALETTES` by technology kind (PPAs: ``ppa``)."""


# --- shared ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    """A number from summary.json as the template shows it: its key, value and text."""

    key: tuple[str, ...]
    value: Any
    text: str
    cls: str = ""


def tail_words(alpha: float) -> str:
    """ "10 %" for α = 0.9: the share of worst cases the CVaR averages."""
    share = (1.0 - alpha) * 100.0
    return f"{share:.0f} %" if abs(share - round(share)) < 1e-9 else f"{share:.1f} %"


def first_case_note(summary: dict[str, Any]) -> str | None:
    """Which case the per-step charts (dispatch, monthly, heat map, prices) show."""
    if summary.get("scenarios"):
        return f"scenario '{next(iter(summary['scenarios']))}'"
    if summary.get("years"):
        return f"year {next(iter(summary['years']))}"
    return None


def risk_section(summary: dict[str, Any]) -> Section:
    """The risk section of a scenario set's summary (``risk`` and ``scenarios``)."""
    from optimizer.report.env import render

    return Section("Risk across scenarios", render("risk.html.j2", **risk(summary)), "risk")


def pathway_section(result: Result) -> Section:
    """The pathway section of a horizon's result (``years``)."""
    from optimizer.report.env import render

    return Section("Pathway by year", render("pathway.html.j2", **pathway(result)), "pathway")


def sections(result: Result) -> list[Section]:
    """The risk and/or pathway sections of ``result`` (none for a single run)."""
    s = result.summary
    out: list[Section] = []
    if s.get("risk") and s.get("scenarios"):
        try:
            out.append(risk_section(s))
        except Exception:  # a study section must not cost the whole report
            log.warning("the risk section failed; the page goes on without it", exc_info=True)
    if s.get("years"):
        try:
            out.append(pathway_section(result))
        except Exception:
            log.warning("the pathway section failed; the page goes on without it", exc_info=True)
    return out


# --- risk -----------------------------------------------------------------------------


def hedge_sentence(name: str, change: dict[str, Any], currency: str, alpha: float) -> list[Any]:
    """What signing ``name`` does, as text and :class:`Num` parts.

    ``change`` is ``{"expected_cost_change": x, "cvar_change": y}``, both *with the offer −
    without it*: "signing wind-a lowers the 10 % worst-case cost by USD 2,100,000 at an
    expected cost of USD 300,000".
    """
    x = change.get("expected_cost_change")
    y = change.get("cvar_change")
    tail = tail_words(alpha)
    key = ("hedges", name)
    if not finite(x) or not finite(y):
        return [f"{name}: no comparison."]
    xv, yv = float(x), float(y)  # type: ignore[arg-type]

    def amount(k: str, v: float) -> Num:
        return Num((*key, k), v, money(abs(v), currency), "mag")

    cv = amount("cvar_change", yv)
    ev = amount("expected_cost_change", xv)
    head = f"Signing {name} "
    if abs(yv) <= TOL_MONEY and abs(xv) <= TOL_MONEY:
        return [head + "changes neither the expected cost nor the " + tail + " worst-case cost."]
    if yv < -TOL_MONEY:
        first = [head + f"lowers the {tail} worst-case cost by ", cv]
    elif yv > TOL_MONEY:
        first = [head + f"raises the {tail} worst-case cost by ", cv]
    else:
        first = [head + f"leaves the {tail} worst-case cost unchanged"]
    if xv > TOL_MONEY:
        rest = [
            " at an expected cost of " if yv < -TOL_MONEY else " and raises the expected cost by ",
            ev,
            ": a hedge that costs on average." if yv < -TOL_MONEY else ": not worth signing here.",
        ]
    elif xv < -TOL_MONEY:
        rest = [
            " and lowers the expected cost by "
            if yv <= TOL_MONEY
            else " but lowers the expected cost by ",
            ev,
            ": worth signing." if yv <= TOL_MONEY else ": cheaper on average, riskier in the tail.",
        ]
    else:
        rest = [" at no change in the expected cost."]
    return first + rest


def stochastic_rows(st: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    labels = {
        "vss": "value of the stochastic solution (VSS = EEV − this plan's expected objective)",
        "evpi": "expected value of perfect information (EVPI = this plan's − WS)",
        "eev": "expected objective of the plan made for the average scenario (EEV)",
        "ws": "expected objective with perfect foresight, wait-and-see (WS)",
    }
    return [
        {"label": label, "num": Num(("stochastic", k), st.get(k), money(st.get(k), currency))}
        for k, label in labels.items()
        if k in st
    ]


@dataclass
class ScenarioRow:
    name: str
    probability: float
    cost: float
    nums: dict[str, Num] = field(default_factory=dict)
    breakdown: list[Num] = field(default_factory=list)


def risk(s: dict[str, Any]) -> dict[str, Any]:
    """The context of ``risk.html.j2``."""
    cur = s.get("currency", "")
    rk = s["risk"]
    scen: dict[str, dict[str, Any]] = s["scenarios"]
    alpha = float(rk.get("alpha", 0.9))
    weight = float(rk.get("weight", 0.0))
    cats = [
        c for c in figures.CATEGORY_LABELS if any(c in v["cost_breakdown"] for v in scen.values())
    ]
    cats += sorted({c for v in scen.values() for c in v["cost_breakdown"]} - set(cats))
    carbon = any(
        abs(float(v.get("objective", 0.0)) - float(v.get("total_cost", 0.0))) > TOL_MONEY
        for v in scen.values()
    )
    rows: list[ScenarioRow] = []
    for name, v in scen.items():
        k = ("scenarios", name)
        em = v.get("emissions_tco2") or {}
        row = ScenarioRow(name, float(v["probability"]), float(v["objective"]))
        row.nums = {
            "probability": Num((*k, "probability"), v["probability"], percent(v["probability"])),
            "objective": Num((*k, "objective"), v["objective"], money(v["objective"], cur)),
            "total_cost": Num((*k, "total_cost"), v["total_cost"], money(v["total_cost"], cur)),
            "cfe_score": Num((*k, "cfe_score"), v.get("cfe_score"), percent(v.get("cfe_score"))),
            "loc": Num(
                (*k, "emissions_tco2", "location_based"),
                em.get("location_based"),
                tco2(em.get("location_based")),
            ),
            "mkt": Num(
                (*k, "emissions_tco2", "market_based"),
                em.get("market_based"),
                tco2(em.get("market_based")),
            ),
        }
        row.breakdown = [
            Num(
                (*k, "cost_breakdown", c),
                v["cost_breakdown"].get(c),
                money(v["cost_breakdown"].get(c), cur),
            )
            if c in v["cost_breakdown"]
            else Num((), None, "")
            for c in cats
        ]
        rows.append(row)
    worst = max(rows, key=lambda r: r.cost)
    best = min(rows, key=lambda r: r.cost)
    r = {k: Num(("risk", k), rk.get(k), money(rk.get(k), cur)) for k in _RISK_MONEY if k in rk}
    hedges = s.get("hedges") or {}
    return {
        "s": s,
        "cur": cur,
        "alpha": alpha,
        "weight": weight,
        "tail": tail_words(alpha),
        "confidence": percent(alpha, 0),
        "r": r,
        "alpha_num": Num(("risk", "alpha"), rk.get("alpha"), f"{alpha:g}"),
        "weight_num": Num(("risk", "weight"), rk.get("weight"), f"{weight:g}"),
        "targets_apply": rk.get("targets_apply", "every_scenario"),
        "rows": rows,
        "n": len(rows),
        "worst": worst,
        "best": best,
        "spread": worst.cost - best.cost > TOL_MONEY,
        "carbon": carbon,
        "categories": [figures.CATEGORY_LABELS.get(c, c) for c in cats],
        "breakdown_groups": [
            rows[i : i + SCENARIOS_PER_TABLE] for i in range(0, len(rows), SCENARIOS_PER_TABLE)
        ],
        "chart": distribution_chart(s, alt="scenario costs sorted, with probability widths"),
        "first_case": first_case_note(s),
        "hedges": [hedge_sentence(n, h, cur, alpha) for n, h in hedges.items()],
        "stochastic": stochastic_rows(s.get("stochastic") or {}, cur),
        "risk_rows": [(label, r[k]) for k, label in _RISK_LABELS if k in r],
    }


_RISK_MONEY = (
    "expected_cost",
    "var_cost",
    "cvar_cost",
    "worst_cost",
    "p50_cost",
    "p90_cost",
    "p95_cost",
)
_RISK_LABELS = (
    ("expected_cost", "expected cost (probability-weighted mean)"),
    ("var_cost", "value at risk, VaR at α (the α-quantile)"),
    ("cvar_cost", "conditional value at risk, CVaR at α (mean of the worst 1 − α)"),
    ("worst_cost", "worst scenario"),
    ("p50_cost", "P50 (median)"),
    ("p90_cost", "P90"),
    ("p95_cost", "P95"),
)


def distribution_chart(s: dict[str, Any], alt: str) -> Chart:
    """Scenario costs C_s sorted from cheapest to costliest, each bar as wide as its
    probability (the quantile function of the cost); the tail beyond α shaded, the expected
    cost, VaR and CVaR marked."""
    rk = s["risk"]
    scen = s["scenarios"]
    cur = s.get("currency", "")
    names = list(scen)
    costs = np.array([float(scen[n]["objective"]) for n in names])
    probs = np.array([float(scen[n]["probability"]) for n in names])
    order = np.argsort(costs, kind="stable")
    left = np.concatenate([[0.0], np.cumsum(probs[order])[:-1]])
    alpha = float(rk.get("alpha", 0.9))
    height = 3.4
    fig = figures.new_figure(height)
    ax = figures.axes_at(
        fig, figures.LEFT_IN + 0.25, 0.55, figures.WIDTH_IN - figures.LEFT_IN - 0.25 - 0.45, 2.7
    )
    ax.axvspan(alpha, 1.0, color="#fddbc7", alpha=0.8, lw=0)
    ax.bar(
        left,
        costs[order],
        width=probs[order],
        align="edge",
        color="#1f6fb4",
        alpha=0.85,
        edgecolor="white",
        linewidth=1.0,
    )
    top = float(costs.max()) or 1.0
    if len(names) <= MAX_LABELLED:  # names inside the bars, clear of the marked lines
        for x0, w, i in zip(left, probs[order], order, strict=True):
            ax.text(
                x0 + w / 2,
                0.03 * top,
                figures.plain(names[i]),
                ha="center",
                va="bottom",
                fontsize=8,
                color="white",
                rotation=0 if w >= 0.12 else 90,
            )
    exp = rk.get("expected_cost")
    if finite(exp):
        ax.axhline(float(exp), color="black", lw=1.2, ls="--")
        ax.text(0.005, float(exp), f"expected {float(exp):,.0f}", fontsize=8, va="bottom")
    cvar = rk.get("cvar_cost")
    if finite(cvar):
        ax.hlines(float(cvar), alpha, 1.0, color="#b2182b", lw=2.0)
        ax.text(
            alpha - 0.005,
            float(cvar),
            f"CVaR {float(cvar):,.0f}",
            fontsize=8,
            va="bottom",
            ha="right",
            color="#b2182b",
        )
    var = rk.get("var_cost")
    if finite(var):
        ax.axvline(alpha, color="#b2182b", lw=1.0, ls=":")
        ax.plot([alpha], [float(var)], "o", color="#b2182b", markersize=5)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(min(0.0, float(costs.min()) * 1.1), top * 1.12)
    ax.set_xlabel("cumulative probability (scenarios sorted by cost)", fontsize=9)
    ax.set_ylabel(f"cost, {figures.plain(cur)}", fontsize=9)
    figures.thousands(ax.yaxis)
    figures.style_axes(ax)
    legend = [
        LegendEntry("scenario cost (bar width = probability)", "#1f6fb4"),
        LegendEntry("expected cost", "#000000", "dash"),
        LegendEntry(f"CVaR: mean of the worst {tail_words(alpha)}", "#b2182b", "line"),
        LegendEntry(f"VaR at α = {alpha:g} (the dot)", "#b2182b", "dot"),
        LegendEntry(f"the worst {tail_words(alpha)} of probability", "#fddbc7"),
    ]
    return Chart(png_data_uri(fig, tight=False), alt, legend)


# --- pathway --------------------------------------------------------------------------


@dataclass
class Item:
    name: str
    kind: str
    is_ppa: bool


def _items(result: Result, years: dict[str, dict[str, Any]]) -> list[Item]:
    sc = result.problem.scenario
    out = [Item(q.name, f"PPA, {q.kind.replace('_', '-')}", True) for q in sc.ppa_offers]
    out += [Item(t.name, t.kind, False) for t in sc.technologies]
    known = {i.name for i in out}
    for y in years.values():  # anything else the summary lists (kept, never dropped)
        for n in y.get("capacity_mw", {}):
            if n not in known:
                out.append(Item(n, "", False))
                known.add(n)
    return out


def span_label(year: dict[str, Any], label: str) -> str:
    w = int(year.get("weight_years", 1))
    return label if w <= 1 else f"{label}–{int(year.get('year', int(label))) + w - 1}"


def plan_sentences(items: list[Item], years: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """ "Build 40.0 MW of onsite-solar in 2028", "sign wind-a for 30.0 MW from 2027 to
    2031", retirements and what is never chosen, as text and :class:`Num` parts."""
    labels = list(years)
    out: list[list[Any]] = []
    for label in labels:
        y = years[label]
        built = [(n, v) for n, v in (y.get("built_mw") or {}).items() if finite(v) and v > TOL_MW]
        if built:
            parts: list[Any] = ["In ", label, ": build "]
            for j, (n, v) in enumerate(built):
                if j:
                    parts.append(" and " if j == len(built) - 1 else ", ")
                parts += [Num(("years", label, "built_mw", n), v, mw(v)), f" of {n}"]
            parts.append(".")
            out.append(parts)
    for it in items:
        cap = [float((years[lb].get("capacity_mw") or {}).get(it.name) or 0.0) for lb in labels]
        on = [i for i, c in enumerate(cap) if c > TOL_MW]
        if it.is_ppa:
            if not on:
                out.append([f"{it.name} ({it.kind}) is not signed."])
                continue
            first, last = labels[on[0]], labels[on[-1]]
            end = span_label(years[last], last).split("–")[-1]
            key = ("years", first, "capacity_mw", it.name)
            when = f" in {first}" if first == end else f" from {first} to {end}"
            out.append(
                [
                    f"Sign {it.name} ({it.kind}) for ",
                    Num(key, cap[on[0]], mw(cap[on[0]])),
                    when + ".",
                ]
            )
            continue
        built_any = any(
            float((years[lb].get("built_mw") or {}).get(it.name) or 0.0) > TOL_MW for lb in labels
        )
        if not built_any and not on:
            out.append([f"{it.name} ({it.kind}) is not built."])
            continue
        for i in range(1, len(labels)):
            drop = cap[i - 1] - cap[i]
            if drop > TOL_MW:
                out.append(
                    [
                        f"{drop:,.1f} MW of {it.name} reaches the end of its life before ",
                        labels[i],
                        " (standing ",
                        Num(("years", labels[i], "capacity_mw", it.name), cap[i], mw(cap[i])),
                        ").",
                    ]
                )
    return out


def _item_colors(items: list[Item]) -> dict[str, str]:
    used: dict[str, int] = {}
    out: dict[str, str] = {}
    for it in items:
        group = "ppa" if it.is_ppa else KIND_PALETTE.get(it.kind, "grid")
        pal = figures.PALETTES[group]
        i = used.get(group, 0)
        used[group] = i + 1
        out[it.name] = pal[i % len(pal)]
    return out


def _year_axes(fig: Any, height: float) -> Any:
    return figures.axes_at(
        fig,
        figures.LEFT_IN + 0.25,
        0.4,
        figures.WIDTH_IN - figures.LEFT_IN - 0.25 - figures.RIGHT_IN,
        height - 0.55,
    )


def _x(labels: list[str], years: dict[str, dict[str, Any]]) -> tuple[np.ndarray, list[str]]:
    return np.arange(len(labels)), [span_label(years[lb], lb) for lb in labels]


def capacity_chart(items: list[Item], years: dict[str, dict[str, Any]], alt: str) -> Chart:
    """Standing MW per technology and PPA, stacked, one bar per modelled year."""
    labels = list(years)
    xs, ticks = _x(labels, years)
    colors = _item_colors(items)
    fig = figures.new_figure(2.9)
    ax = _year_axes(fig, 2.9)
    base = np.zeros(len(labels))
    legend: list[LegendEntry] = []
    for it in items:
        v = np.array(
            [float((years[lb].get("capacity_mw") or {}).get(it.name) or 0.0) for lb in labels]
        )
        if not np.any(v > TOL_MW):
            continue
        ax.bar(xs, v, bottom=base, color=colors[it.name], width=0.6)
        base = base + v
        legend.append(LegendEntry(f"{it.name} ({it.kind})", colors[it.name]))
    for x, top in zip(xs, base, strict=True):
        ax.text(x, top, f"{top:,.1f} MW", ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, max(float(base.max()), 1.0) * 1.15)
    ax.set_xticks(xs, ticks)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel("standing MW", fontsize=9)
    figures.thousands(ax.yaxis)
    figures.style_axes(ax)
    return Chart(png_data_uri(fig, tight=False), alt, legend)


def cost_chart(years: dict[str, dict[str, Any]], currency: str, alt: str) -> Chart:
    """Each year's cost (a whole year, undiscounted), stacked by category; income below
    zero; the total as a black mark."""
    labels = list(years)
    xs, ticks = _x(labels, years)
    cats = [
        c for c in figures.CATEGORY_LABELS if any(c in y["cost_breakdown"] for y in years.values())
    ]
    cats += sorted({c for y in years.values() for c in y["cost_breakdown"]} - set(cats))
    fig = figures.new_figure(2.9)
    ax = _year_axes(fig, 2.9)
    pos = np.zeros(len(labels))
    neg = np.zeros(len(labels))
    legend: list[LegendEntry] = []
    for c in cats:
        v = np.array([float(years[lb]["cost_breakdown"].get(c) or 0.0) for lb in labels])
        if not np.any(np.abs(v) > figures.SHOWN_MONEY):
            continue
        color = figures.CATEGORY_COLORS.get(c, "#cccccc")
        vp, vn = np.maximum(v, 0.0), np.minimum(v, 0.0)
        ax.bar(xs, vp, bottom=pos, color=color, width=0.6)
        ax.bar(xs, vn, bottom=neg, color=color, width=0.6)
        pos, neg = pos + vp, neg + vn
        legend.append(LegendEntry(figures.CATEGORY_LABELS.get(c, c), color))
    total = np.array([float(years[lb]["total_cost"]) for lb in labels])
    ax.plot(xs, total, "k_", markersize=30, mew=2)
    legend.append(LegendEntry("total cost of the year", "#000000", "line"))
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(xs, ticks)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylabel(f"{figures.plain(currency)} a year", fontsize=9)
    figures.thousands(ax.yaxis)
    figures.style_axes(ax)
    return Chart(png_data_uri(fig, tight=False), alt, legend)


def cfe_chart(years: dict[str, dict[str, Any]], alt: str) -> Chart:
    """The 24/7 CFE score by year (line) against the year's target (dashed)."""
    labels = list(years)
    xs, ticks = _x(labels, years)
    fig = figures.new_figure(2.4)
    ax = _year_axes(fig, 2.4)
    score = np.array(
        [
            float(years[lb]["cfe_score"]) if finite(years[lb].get("cfe_score")) else np.nan
            for lb in labels
        ]
    )
    ax.plot(xs, score * 100, "-o", color="#1b7837", lw=2, markersize=5)
    for x, v in zip(xs, score, strict=True):
        if np.isfinite(v):
            ax.text(x, v * 100 + 4, f"{v * 100:.1f}%", ha="center", va="bottom", fontsize=8)
    legend = [LegendEntry("24/7 CFE score", "#1b7837", "line")]
    target = np.array(
        [
            float(years[lb]["cfe_target"]) if finite(years[lb].get("cfe_target")) else np.nan
            for lb in labels
        ]
    )
    if np.any(np.isfinite(target)):
        ax.plot(xs, target * 100, "--s", color="#000000", lw=1.2, markersize=4)
        legend.append(LegendEntry("the year's CFE target", "#000000", "dash"))
    ax.set_xticks(xs, ticks)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_ylim(0, 115)
    ax.set_ylabel("% of load, hour by hour", fontsize=9)
    figures.style_axes(ax)
    return Chart(png_data_uri(fig, tight=False), alt, legend)


def pathway(result: Result) -> dict[str, Any]:
    """The context of ``pathway.html.j2``."""
    s = result.summary
    cur = s.get("currency", "")
    years: dict[str, dict[str, Any]] = s["years"]
    labels = list(years)
    items = _items(result, years)
    storage = sorted({n for y in years.values() for n in (y.get("storage_mwh") or {})})
    builds = [
        it for it in items if any(it.name in (years[lb].get("built_mw") or {}) for lb in labels)
    ]
    cats = [
        c for c in figures.CATEGORY_LABELS if any(c in y["cost_breakdown"] for y in years.values())
    ]
    cats += sorted({c for y in years.values() for c in y["cost_breakdown"]} - set(cats))

    def cell(label: str, group: str, name: str, fmt: Any) -> Num:
        v = (years[label].get(group) or {}).get(name)
        key = ("years", label, group, name) if name in (years[label].get(group) or {}) else ()
        return Num(key, v, fmt(v) if v is not None else "")

    def mwh_text(v: Any) -> str:
        return f"{float(v):,.1f} MWh" if finite(v) else "—"

    year_rows = []
    for lb in labels:
        y = years[lb]
        k = ("years", lb)
        em = y.get("emissions_tco2") or {}
        sp = y.get("shadow_prices") or {}
        year_rows.append(
            {
                "label": span_label(y, lb),
                "weight_years": Num(
                    (*k, "weight_years"), y.get("weight_years"), str(y.get("weight_years"))
                ),
                "discount_factor": Num(
                    (*k, "discount_factor"),
                    y.get("discount_factor"),
                    f"{float(y['discount_factor']):.4f}",
                )
                if finite(y.get("discount_factor"))
                else Num((*k, "discount_factor"), None, ""),
                "total_cost": Num(
                    (*k, "total_cost"), y.get("total_cost"), money(y.get("total_cost"), cur)
                ),
                "objective": Num(
                    (*k, "objective"), y.get("objective"), money(y.get("objective"), cur)
                ),
                "cost_per_mwh": Num(
                    (*k, "cost_per_mwh"), y.get("cost_per_mwh"), per_mwh(y.get("cost_per_mwh"), cur)
                ),
                "served": Num(
                    (*k, "served_load_mwh"), y.get("served_load_mwh"), mwh(y.get("served_load_mwh"))
                ),
                "cfe_score": Num(
                    (*k, "cfe_score"), y.get("cfe_score"), percent(y.get("cfe_score"))
                ),
                "cfe_target": Num(
                    (*k, "cfe_target"), y.get("cfe_target"), percent(y.get("cfe_target"))
                ),
                "loc": Num(
                    (*k, "emissions_tco2", "location_based"),
                    em.get("location_based"),
                    tco2(em.get("location_based")),
                ),
                "mkt": Num(
                    (*k, "emissions_tco2", "market_based"),
                    em.get("market_based"),
                    tco2(em.get("market_based")),
                ),
                "cfe_sp": Num(
                    (*k, "shadow_prices", "cfe_per_mwh"),
                    sp.get("cfe_per_mwh"),
                    per_mwh(sp.get("cfe_per_mwh"), cur),
                ),
                "cap_sp": Num(
                    (*k, "shadow_prices", "emissions_cap_per_tco2"),
                    sp.get("emissions_cap_per_tco2"),
                    f"{money(sp.get('emissions_cap_per_tco2'), cur)}/tCO2"
                    if finite(sp.get("emissions_cap_per_tco2"))
                    else "—",
                ),
            }
        )
    pv = s.get("present_value") or {}
    pvn = {
        "objective": Num(
            ("present_value", "objective"), pv.get("objective"), money(pv.get("objective"), cur)
        ),
        "total_cost": Num(
            ("present_value", "total_cost"), pv.get("total_cost"), money(pv.get("total_cost"), cur)
        ),
        "served": Num(
            ("present_value", "served_load_mwh"),
            pv.get("served_load_mwh"),
            mwh(pv.get("served_load_mwh")),
        ),
        "lcoe": Num(
            ("present_value", "levelised_cost_per_mwh"),
            pv.get("levelised_cost_per_mwh"),
            per_mwh(pv.get("levelised_cost_per_mwh"), cur),
        ),
        "rate": Num(
            ("present_value", "discount_rate"),
            pv.get("discount_rate"),
            percent(pv.get("discount_rate")),
        ),
    }
    first_label, last_label = labels[0], labels[-1]
    return {
        "s": s,
        "cur": cur,
        "labels": labels,
        "spans": [span_label(years[lb], lb) for lb in labels],
        "first": first_label,
        "end": span_label(years[last_label], last_label).split("–")[-1],
        "n": len(labels),
        "items": items,
        "builds": builds,
        "storage": storage,
        "categories": [(c, figures.CATEGORY_LABELS.get(c, c)) for c in cats],
        "standing": [[cell(lb, "capacity_mw", it.name, mw) for lb in labels] for it in items],
        "built": [[cell(lb, "built_mw", it.name, mw) for lb in labels] for it in builds],
        "stored": [[cell(lb, "storage_mwh", n, mwh_text) for lb in labels] for n in storage],
        "costs": [
            [cell(lb, "cost_breakdown", c, lambda v: money(v, cur)) for lb in labels] for c in cats
        ],
        "year_rows": year_rows,
        "pv": pvn,
        "plan": plan_sentences(items, years),
        "first_case": first_case_note(s),
        "charts": [
            (
                "Standing capacity by year (MW)",
                capacity_chart(items, years, "standing capacity by year, stacked"),
            ),
            (
                f"Cost of each year ({cur} a year, undiscounted)",
                cost_chart(years, cur, "cost by year, stacked by category"),
            ),
            ("24/7 CFE score by year", cfe_chart(years, "24/7 CFE score by year and target")),
        ],
    }
