"""The "Compliance and KPIs" section of report.html (CONTRACT 11, docs/compliance.md, "For
the report"): the rule sets with pass/fail, margins and sources; the renewable share against
its target (annual, lowest month, hourly; a bar per month); certificates bought and their
cost; emissions location- and market-based side by side; every KPI with its definition,
standard and inputs; heat reuse when modelled.

Shown when the summary has ``compliance``, ``certificates`` or ``heat_reuse``, a renewable
share target, or a PUE (the IT load is known). ``renewable_share`` and ``kpis`` are in every
summary; a run with none of those keeps the page as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from optimizer.report.blocks import Scale, Segment
from optimizer.report.env import render
from optimizer.report.sections import Section

if TYPE_CHECKING:
    from optimizer.solve import Result

KPI_NAMES = {
    "pue": "PUE",
    "ref": "REF",
    "erf": "ERF",
    "cue": "CUE",
    "cue_market_based": "CUE, market-based",
    "wue": "WUE",
    "renewable_share": "renewable share",
}
MATCHING_WORDS = {
    "annual": "over the horizon (annual balance)",
    "monthly": "in every month",
    "hourly": "in every step (hourly matching)",
}
CHECKED_KEY = {"annual": "annual", "monthly": "monthly_min", "hourly": "hourly_min"}
"""The ``renewable_share`` key a requirement of each matching is checked against."""


def present(s: dict[str, Any]) -> bool:
    return bool(
        s.get("compliance")
        or s.get("certificates")
        or s.get("heat_reuse")
        or (s.get("renewable_share") or {}).get("target") is not None
        or (s.get("kpis") or {}).get("pue") is not None
    )


def _kpi_unit(kpi: str) -> str:
    """How a KPI's value is shown: a share as a percent, PUE as a ratio, CUE in kg/kWh."""
    if kpi in ("renewable_share", "ref", "erf"):
        return "percent"
    if kpi.startswith("cue"):
        return "cue"
    return "ratio"


def _rules(s: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, rule in (s.get("compliance") or {}).items():
        reqs = []
        for i, r in enumerate(rule.get("requirements") or []):
            kpi = str(r.get("kpi", ""))
            sense = "max" if "max" in r else "min" if "min" in r or "required" in r else ""
            reqs.append(
                {
                    "i": str(i),
                    "r": r,
                    "kpi": KPI_NAMES.get(kpi, kpi),
                    "unit": _kpi_unit(kpi),
                    "sense": sense,
                    "bound_key": sense if sense in r else "required",
                    "matching": MATCHING_WORDS.get(r.get("matching") or "", ""),
                    "zone": " (same-zone certificates only)" if r.get("same_zone_only") else "",
                }
            )
        tight = next((q for q in reqs if q["r"].get("margin") == rule.get("margin")), None)
        out.append(
            {
                "name": name,
                "rule": rule,
                "reqs": reqs,
                "margin_unit": tight["unit"] if tight is not None else "ratio",
                "margin_of": tight["kpi"] if tight is not None else "",
                "reported": rule.get("reported_kpis") or {},
            }
        )
    return out


def _months(share: dict[str, Any]) -> list[dict[str, Any]]:
    monthly: dict[str, float] = share.get("monthly") or {}
    scale = Scale(0.0, 1.0)
    return [
        {
            "month": month,
            "value": v,
            "bar": [Segment(scale.at(0.0), scale.width(v or 0.0), "#4daf4a", "renewable share")],
        }
        for month, v in monthly.items()
    ]


def context(result: Result) -> dict[str, Any]:
    s = result.summary
    share = s.get("renewable_share") or {}
    em = s.get("emissions_tco2") or {}
    target = share.get("target")
    matching = share.get("checked_matching") or share.get("matching") or "annual"
    certs = s.get("certificates") or {}
    scale = Scale(0.0, 1.0)
    details = s.get("kpi_details") or {}
    kpis = s.get("kpis") or {}
    return {
        "s": s,
        "cur": s.get("currency", ""),
        "rules": _rules(s),
        "share": share,
        "target": target,
        "matching": matching,
        "matching_words": MATCHING_WORDS.get(matching, matching),
        "checked_key": CHECKED_KEY.get(matching, "annual"),
        "gap": (
            share["annual"] - share["hourly"]
            if share.get("annual") is not None and share.get("hourly") is not None
            else None
        ),
        "months": _months(share),
        "target_at": scale.at(target) if target is not None else None,
        "certs": certs,
        "cert_cost": sum(c.get("cost") or 0.0 for c in certs.values()),
        "cover": s.get("certificate_cover_mwh") or {},
        "em": em,
        "kpis": [
            {
                "key": k,
                "name": KPI_NAMES.get(k, k),
                "unit": _kpi_unit(k),
                "value": kpis.get(k),
                "d": details.get(k) or {},
            }
            for k in kpis
            if k != "cue_market_based"
        ],
        "cue_market": kpis.get("cue_market_based"),
        "heat": s.get("heat_reuse"),
    }


def sections(result: Result) -> list[Section]:
    """The "Compliance and KPIs" section, when the summary has its keys."""
    if result.dispatch is None or not present(result.summary):
        return []
    return [
        Section(
            "Compliance and KPIs", render("compliance.html.j2", **context(result)), "compliance"
        )
    ]
