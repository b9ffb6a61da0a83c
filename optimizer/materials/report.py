"""The "footprint" section of report.html: materials, embodied carbon, footprint of compute.

:func:`footprint_section` reads only the summary dict (``materials``, ``embodied_carbon``,
``footprint``, ``shadow_prices.materials_per_tonne``), so it renders a stored summary.json
as well as a fresh result.
"""

from __future__ import annotations

import html
from typing import Any

from optimizer.report.sections import Section, table_html

_FOOTPRINT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("cost", "cost_per_it_mwh", "cost_per_gpu_hour"),
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


def _num(v: Any, digits: int = 4) -> str:
    return "" if v is None else f"{float(v):,.{digits}g}"


def footprint_section(summary: dict[str, Any]) -> Section | None:
    """The section, or None when the summary has no materials or embodied carbon."""
    materials = summary.get("materials")
    embodied = summary.get("embodied_carbon")
    fp = summary.get("footprint")
    if not materials and not fp:
        return None
    currency = html.escape(str(summary.get("currency", "")))
    parts: list[str] = []

    if fp:
        gpu = "cost_per_gpu_hour" in fp
        rows = []
        for label, per_mwh, per_gpu in _FOOTPRINT_ROWS:
            row: dict[str, Any] = {
                "": label,
                f"per MWh of IT energy ({currency} or tCO2e)": _num(fp.get(per_mwh)),
            }
            if gpu:
                row[f"per GPU-hour ({currency} or kgCO2e)"] = _num(fp.get(per_gpu))
            rows.append(row)
        share = fp.get("embodied_share_of_location_total")
        parts.append(
            f"<p>IT energy {_num(fp['it_energy_mwh'], 6)} MWh "
            f"(from {html.escape(str(fp['it_energy_basis']))}), "
            f"site energy {_num(fp['site_energy_mwh'], 6)} MWh, PUE {_num(fp['pue'], 3)}"
            + (f", {_num(fp['gpu_hours'], 6)} GPU-hours" if gpu else "")
            + (
                f"; embodied carbon is {100 * share:.1f}% of the location-based total"
                if share
                else ""
            )
            + ".</p>"
        )
        parts.append(table_html(rows))

    if materials:
        prices = (summary.get("shadow_prices") or {}).get("materials_per_tonne") or {}
        limits = materials.get("limits_tonnes", {})
        mrows = []
        for m, t in sorted(materials["total_tonnes"].items(), key=lambda kv: -kv[1]):
            r: dict[str, Any] = {"material": m.replace("_", " "), "tonnes": float(t)}
            if limits:
                r["limit (t)"] = float(limits[m]) if m in limits else None
                r[f"shadow price ({currency}/t)"] = (
                    float(prices[m]) if prices.get(m) is not None else None
                )
            mrows.append(r)
        parts.append("<h3>Materials in what is built or contracted</h3>")
        parts.append(table_html(mrows))

    if embodied:
        erows = [
            {
                "item": name,
                "embodied (tCO2e)": float(v["total_tco2"]),
                "per year (tCO2e)": float(v["annualised_tco2_per_year"]),
                "lifetime (years)": v["lifetime_years"],
            }
            for name, v in embodied.get("by_item", {}).items()
        ]
        note = (
            " These annualised emissions are included in the emissions the cap and the carbon "
            "price see."
            if embodied.get("included_in_emissions")
            else ""
        )
        parts.append(
            "<h3>Embodied carbon</h3>"
            f"<p>Total {_num(embodied['total_tco2'], 6)} tCO2e, "
            f"{_num(embodied['annualised_tco2_per_year'], 6)} tCO2e a year over the lifetimes, "
            f"{_num(embodied.get('horizon_tco2'), 6)} tCO2e for the modelled horizon.{note}</p>"
        )
        parts.append(table_html(erows))

    parts.append(
        "<p>Defaults and their sources: docs/materials.md. Embodied carbon is straight-line "
        "annualised over each item's lifetime.</p>"
    )
    return Section("Footprint", "\n".join(parts), "footprint")
