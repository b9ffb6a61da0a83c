"""The rule sets as dated data (docs/compliance.md cites every entry).

Nothing here is code: each rule is a table of values with the date from which it applies and
its source. When a law changes (the EnEfG amendment in draft in 2025 loosens §11), a new
entry with its own ``from`` date and source is added here and the old one kept, so that a
study of an earlier year keeps its numbers.
"""

from __future__ import annotations

from typing import Any

ENEFG: dict[str, Any] = {
    "title": "Energieeffizienzgesetz (EnEfG) §11, Germany",
    "source": "EnEfG of 13 November 2023, BGBl. 2023 I Nr. 309, §11 (1), (2), (5); "
    "§3 Nr. 10, 12 (definitions of ERF and PUE)",
    # §11 applies to data centres with a non-redundant nominal connected load of 300 kW or more
    "applies_from_it_mw": 0.3,
    # the boundary between existing and new data centres for the PUE and ERF limits
    "new_site_from": "2026-07-01",
    # §11 (5): share of electricity consumption covered by renewable electricity, on an
    # annual balance ("bilanziell"), with guarantees of origin or PPAs
    "renewable_share": [
        {"from": "2024-01-01", "share": 0.5, "matching": "annual", "source": "§11 (5) 1"},
        {"from": "2027-01-01", "share": 1.0, "matching": "annual", "source": "§11 (5) 2"},
    ],
    # §11 (1): annual average PUE of existing data centres (operation before 1 July 2026)
    "pue_existing": [
        {"from": "2027-07-01", "max": 1.5, "source": "§11 (1) 1 a"},
        {"from": "2030-07-01", "max": 1.3, "source": "§11 (1) 1 b"},
    ],
    # §11 (1) 2: new data centres, at the latest two years after the start of operation
    "pue_new": [{"max": 1.2, "grace_years": 2, "source": "§11 (1) 2"}],
    # §11 (2): energy reuse factor of data centres that start operation on or after these dates
    "erf_new": [
        {"commissioned_from": "2026-07-01", "min": 0.10, "source": "§11 (2) 1"},
        {"commissioned_from": "2027-07-01", "min": 0.15, "source": "§11 (2) 2"},
        {"commissioned_from": "2028-07-01", "min": 0.20, "source": "§11 (2) 3"},
    ],
}

ENEFG_2027_AS_OF = "2027-07-01"
"""``enefg_2027`` is ``enefg`` evaluated on this date: every 2027 requirement in force
(renewable 100 % since 1 January, PUE 1.5 for existing sites since 1 July)."""

GHG_SCOPE2_HOURLY: dict[str, Any] = {
    "title": "GHG Protocol Scope 2 Guidance revision (market-based method), draft",
    "source": "GHG Protocol, Scope 2 Guidance public consultation draft (October 2025): "
    "hourly matching and deliverability (same market boundary) for market-based claims; "
    "feasibility exemption for small consumers (thresholds under consultation)",
    "matching": "hourly",
    "same_market_boundary": True,
    # thresholds under consultation, MWh a year; the rule uses the default unless a scenario
    # sets exemption_threshold_mwh
    "exemption_threshold_options_mwh": [5000.0, 10000.0, 50000.0],
    "exemption_threshold_mwh": 5000.0,
}

EU_2024_1364: dict[str, Any] = {
    "title": "Commission Delegated Regulation (EU) 2024/1364 (data centre rating scheme)",
    "source": "Regulation (EU) 2024/1364, Art. 3 and Annexes I-II; Directive (EU) 2023/1791 "
    "Art. 12 (reporting duty from 500 kW installed IT power)",
    "applies_from_it_mw": 0.5,
    # key performance indicators the scheme asks for, and whether dcopt can compute them
    "kpis": {
        "pue": "power usage effectiveness (EN 50600-4-2)",
        "wue": "water usage effectiveness (EN 50600-4-9): not modelled by dcopt",
        "ref": "renewable energy factor (EN 50600-4-3)",
        "erf": "energy reuse factor (EN 50600-4-6)",
    },
    "required_kpis": ["pue", "ref", "erf"],
}
