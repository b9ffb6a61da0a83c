"""The "footprint" section of report.html: materials, embodied carbon, footprint of compute.

:func:`footprint_section` reads only the summary dict (``materials``, ``embodied_carbon``,
``footprint``, ``capacity_mw``, ``shadow_prices.materials_per_tonne``), so it renders a
stored summary.json as well as a fresh result. Its page text is the template
``optimizer/report/templates/materials.html.j2``; every number carries its summary key.
"""

from __future__ import annotations

from typing import Any

from optimizer.report.env import render
from optimizer.report.sections import Section

FOOTPRINT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("scope 1 (on-site fuel)", "scope1_tco2_per_it_mwh", "scope1_kgco2_per_gpu_hour"),
    (
        "scope 2, location-based",
        "scope2_location_tco2_per_it_mwh",
        "scope2_location_kgco2_per_gpu_hour",
    ),
    ("scope 2, market-based", "scope2_market_tco2_per_it_mwh", "scope2_market_kgco2_per_gpu_hour"),
    ("embodied (scope 3)", "embodied_tco2_per_it_mwh", "embodied_kgco2_per_gpu_hour"),
    (
        "total, location-based",
        "total_location_tco2_per_it_mwh",
        "total_location_kgco2_per_gpu_hour",
    ),
    ("total, market-based", "total_market_tco2_per_it_mwh", "total_market_kgco2_per_gpu_hour"),
)
"""Emissions per unit of compute: (label, key per MWh of IT energy, key per GPU-hour)."""

CHOSEN_MW = 1e-6


def uncounted(summary: dict[str, Any]) -> list[tuple[str, float]]:
    """Items built or contracted (capacity above zero) for which no materials are counted:
    they have no ``materials_basis`` (a PPA has none unless one is given) and no
    ``materials_kg_per_mw``, so they are absent from ``materials.by_item_tonnes``."""
    counted = set((summary.get("materials") or {}).get("by_item_tonnes") or {})
    return [
        (name, float(v))
        for name, v in (summary.get("capacity_mw") or {}).items()
        if v is not None and float(v) > CHOSEN_MW and name not in counted
    ]


def footprint_section(summary: dict[str, Any]) -> Section | None:
    """The section, or None when the summary has no materials and no footprint."""
    materials = summary.get("materials")
    fp = summary.get("footprint")
    if not materials and not fp:
        return None
    prices = (summary.get("shadow_prices") or {}).get("materials_per_tonne") or {}
    rows = []
    if materials:
        limits = materials.get("limits_tonnes") or {}
        for m, t in sorted(materials["total_tonnes"].items(), key=lambda kv: -kv[1]):
            rows.append(
                {
                    "key": m,
                    "label": m.replace("_", " "),
                    "tonnes": t,
                    "limit": limits.get(m),
                    "price": prices.get(m),
                }
            )
    html = render(
        "materials.html.j2",
        cur=summary.get("currency", ""),
        fp=fp,
        gpu=fp is not None and "cost_per_gpu_hour" in fp,
        emission_rows=FOOTPRINT_ROWS,
        materials=materials,
        material_rows=rows,
        limits=bool(materials and materials.get("limits_tonnes")),
        uncounted=uncounted(summary) if materials else [],
        embodied=summary.get("embodied_carbon"),
    )
    return Section("Footprint", html, "footprint")
