"""The "Resilience" and "Demand response" sections of report.html (CONTRACT 12,
docs/resilience.md): the critical peak against the firm capacity, the autonomy on site, the
survival probability and its curve (a small chart), the backup's cost, a table per listed
outage and per generator; then every demand-response programme (committed MW, income, who
delivered the reduction as a stacked bar) and the flexible load's numbers.

"Resilience" is shown when summary.json has ``resilience``; "Demand response and flexible
load" when it has ``demand_response`` or ``load_flexibility``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.ticker as mticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from optimizer.report import figures
from optimizer.report.blocks import Scale, Segment
from optimizer.report.env import render
from optimizer.report.sections import Section, png_data_uri

if TYPE_CHECKING:
    from optimizer.solve import Result

DELIVERED = (
    ("battery", "battery (discharge − charge)", "#8e5cc2"),
    ("flexibility", "load moved or training deferred", "#12a4b6"),
    ("curtailment", "load shed", "#e59a9a"),
    ("generator", "generators", "#8c4b2f"),
    ("other_supply", "other supply (PPAs, on-site renewables)", "#f2b701"),
)
"""The parts of ``demand_response[p].delivered_by``: key, label, colour."""


def survival_chart(curve: dict[str, float], design_hours: float | None) -> figures.Chart:
    """The survival probability against the outage's length: a small line chart."""
    pts = sorted((float(h), float(p)) for h, p in curve.items() if p is not None)
    fig = Figure(figsize=(6.4, 2.5))
    FigureCanvasAgg(fig)
    ax = figures.axes_at(fig, 0.75, 0.5, 5.4, 1.85)
    ax.plot([h for h, _ in pts], [p for _, p in pts], "o:", color="#1f6fb4", lw=1.0, ms=5)
    if design_hours is not None:
        ax.axvline(design_hours, color="#b2182b", ls="--", lw=1)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(0, max([h for h, _ in pts] + [1.0]) * 1.03)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("outage length, hours", fontsize=9)
    ax.set_ylabel("survival", fontsize=9)
    figures.style_axes(ax, "both")
    legend = [
        figures.LegendEntry(
            "probability that the generators carry the critical peak (dots: the durations "
            "computed, joined for the eye)",
            "#1f6fb4",
            "dot",
        )
    ]
    if design_hours is not None:
        legend.append(
            figures.LegendEntry("outage length of the headline figure", "#b2182b", "dash")
        )
    return figures.Chart(png_data_uri(fig, tight=False), "survival probability curve", legend)


def resilience_context(s: dict[str, Any]) -> dict[str, Any]:
    r = s["resilience"]
    curve = r.get("survival_curve") or {}
    peak, firm = r.get("critical_peak_mw"), r.get("firm_capacity_mw")
    return {
        "s": s,
        "r": r,
        "cur": s.get("currency", ""),
        "covered": peak is not None and firm is not None and firm >= peak - 1e-6,
        "headroom": firm - peak if peak is not None and firm is not None else None,
        "outages": [{"i": str(i), "o": o} for i, o in enumerate(r.get("outages") or [])],
        "generators": r.get("generators") or {},
        "curve": [(h, curve[h]) for h in curve],
        "chart": survival_chart(curve, r.get("survival_hours")) if curve else None,
        "rel": r.get("reliability_inputs") or {},
        "cost": r.get("backup_cost") or {},
    }


def _delivered_bar(by: dict[str, float], scale: Scale) -> list[Segment]:
    segs = []
    pos = neg = 0.0
    for key, label, color in DELIVERED:
        v = by.get(key) or 0.0
        if abs(v) < 1e-3:
            continue
        if v >= 0:
            left = scale.at(pos)
            pos += v
        else:
            neg += v
            left = scale.at(neg)
        segs.append(Segment(left, scale.width(v), color, f"{label}: {v:,.1f} MW"))
    return segs


def dr_context(s: dict[str, Any]) -> dict[str, Any]:
    dr: dict[str, Any] = s.get("demand_response") or {}
    bys = [p.get("delivered_by") or {} for p in dr.values()]
    hi = max([sum(max(v or 0.0, 0.0) for k, v in b.items() if k != "total") for b in bys] + [1.0])
    lo = min([sum(min(v or 0.0, 0.0) for k, v in b.items() if k != "total") for b in bys] + [0.0])
    scale = Scale(lo, hi)
    used = {k for b in bys for k, v in b.items() if k != "total" and abs(v or 0.0) >= 1e-3}
    flex = s.get("load_flexibility")
    return {
        "s": s,
        "cur": s.get("currency", ""),
        "programmes": [
            {
                "name": name,
                "p": p,
                "events": [{"i": str(i), "e": e} for i, e in enumerate(p.get("events") or [])],
                "bar": _delivered_bar(p.get("delivered_by") or {}, scale),
                "parts": [(k, label) for k, label, _ in DELIVERED],
            }
            for name, p in dr.items()
        ],
        "zero": scale.at(0.0),
        "legend": [figures.LegendEntry(label, color) for k, label, color in DELIVERED if k in used],
        "flex": flex,
        "curtailed": (flex or {}).get("curtailed") or {},
    }


def sections(result: Result) -> list[Section]:
    """ "Resilience" and "Demand response and flexible load", when the summary has them."""
    s = result.summary
    if result.dispatch is None:
        return []
    out = []
    if s.get("resilience"):
        out.append(
            Section(
                "Resilience", render("resilience.html.j2", **resilience_context(s)), "resilience"
            )
        )
    if s.get("demand_response") or s.get("load_flexibility"):
        out.append(
            Section(
                "Demand response and flexible load",
                render("demand_response.html.j2", **dr_context(s)),
                "demand-response",
            )
        )
    return out
