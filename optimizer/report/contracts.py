"""The "Supply contracts" section of report.html (CONTRACT 13, docs/contracts.md) and the
box of plausibility warnings at the top of the page.

Shown when summary.json has what the section is about: ``signed_offers`` (group → the
signed offer), ``block_offers``, ``ppa_metrics``, or the network and levy categories of
``cost_breakdown``. Python builds only data here; ``templates/contracts.html.j2`` words it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from optimizer.report.env import render
from optimizer.report.figures import CATEGORY_LABELS
from optimizer.report.sections import Section

if TYPE_CHECKING:
    from optimizer.solve import Result

NETWORK_CATEGORIES = ("network_capacity", "network_energy", "levies", "grid_resale")
"""Cost categories of section 13, shown as their own lines (all are in ``total_cost``)."""

TECHNOLOGY_WORDS = {
    "solar": "solar",
    "wind_onshore": "onshore wind",
    "wind_offshore": "offshore wind",
    "hydro": "hydro",
    "geothermal": "geothermal",
    "biomass": "biomass",
    "other_renewable": "other renewable",
    "nuclear": "nuclear",
    "gas": "gas",
    "other": "other",
}
RULE_WORDS = {
    "pay": "paid in every step",
    "no_pay_below_zero": "not paid while spot is below zero (it still delivers)",
    "curtail": "delivers nothing while spot is below zero",
}
KIND_WORDS = {
    "pay_as_produced": "pay-as-produced",
    "baseload": "baseload",
    "virtual": "virtual (financial: certificates, no energy)",
}


def warnings_box(summary: dict[str, Any]) -> Markup:
    """The plausibility warnings (``warnings``) as a box; empty markup without any."""
    warnings = [str(w) for w in summary.get("warnings") or []]
    if not warnings:
        return Markup("")
    return render("warnings.html.j2", warnings=warnings)


def renewable_words(row: dict[str, Any], kind: str) -> str:
    if kind == "virtual" or row.get("renewable") is None:
        return "certificates only (a virtual PPA delivers no energy)"
    if row["renewable"]:
        return "renewable supply"
    return "carbon-free, not renewable supply"


def _signed(result: Result) -> list[dict[str, Any]]:
    s = result.summary
    signed: dict[str, str] = s.get("signed_offers") or {}
    by_item = s.get("cost_by_item") or {}
    offers = result.problem.scenario.grid_offers
    out = []
    for group, name in signed.items():
        members = [o.name for o in offers if o.group == group]
        out.append(
            {
                "group": group,
                "name": name,
                "others": [n for n in members if n != name],
                "offers": [
                    {
                        "name": n,
                        "signed": n == name,
                        "import": (s.get("grid_import_mwh") or {}).get(n),
                        "peak": (s.get("grid_peak_mw") or {}).get(n),
                        "cost": sum((by_item.get(n) or {}).values()),
                    }
                    for n in members
                ],
            }
        )
    return out


def _ppas(result: Result) -> list[dict[str, Any]]:
    s = result.summary
    kinds = {q.name: q.kind for q in result.problem.scenario.ppa_offers}
    rows = []
    for name, m in (s.get("ppa_metrics") or {}).items():
        kind = kinds.get(name, "")
        energy, paid = m.get("energy_mwh"), m.get("paid_mwh")
        shape = m.get("shape_cost")
        rows.append(
            {
                "name": name,
                "m": m,
                "kind": KIND_WORDS.get(kind, kind.replace("_", "-")),
                "technology": TECHNOLOGY_WORDS.get(m.get("technology") or "", "not given")
                if m.get("technology")
                else "not given",
                "renewable": renewable_words(m, kind),
                "rule": RULE_WORDS.get(m.get("negative_price_rule") or "pay", ""),
                "unpaid": energy - paid if energy is not None and paid is not None else None,
                "shape_words": (
                    "delivers in cheaper hours than the average"
                    if shape is not None and shape > 0.5
                    else "delivers in dearer hours than the average"
                    if shape is not None and shape < -0.5
                    else "no shape cost"
                    if shape is not None
                    else ""
                ),
            }
        )
    return rows


def context(result: Result) -> dict[str, Any]:
    s = result.summary
    sc = result.problem.scenario
    breakdown = s.get("cost_breakdown") or {}
    imports = sum(v for v in (s.get("grid_import_mwh") or {}).values() if v is not None)
    lines = [
        {"key": k, "value": breakdown[k], "per_mwh": breakdown[k] / imports if imports else None}
        for k in NETWORK_CATEGORIES
        if k in breakdown
    ]
    net = sc.site.network
    ppas = _ppas(result)
    return {
        "s": s,
        "cur": s.get("currency", ""),
        "signed": _signed(result),
        "blocks": s.get("block_offers") or {},
        "ppas": ppas,
        "settled": [p for p in ppas if p["m"].get("settlement_cost") is not None],
        "spread": any(p["m"].get("settlement") for p in ppas),
        "lines": lines,
        "imports": imports,
        "network": net,
        "levies_rate": sc.site.levies_per_mwh,
        "labels": CATEGORY_LABELS,
    }


def present(s: dict[str, Any]) -> bool:
    breakdown = s.get("cost_breakdown") or {}
    return bool(
        s.get("signed_offers")
        or s.get("block_offers")
        or s.get("ppa_metrics")
        or any(k in breakdown for k in NETWORK_CATEGORIES)
    )


def sections(result: Result) -> list[Section]:
    """The "Supply contracts" section, when the summary has its keys."""
    if result.dispatch is None or not present(result.summary):
        return []
    return [
        Section("Supply contracts", render("contracts.html.j2", **context(result)), "contracts")
    ]
