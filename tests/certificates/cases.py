"""Small hand-solvable cases of CONTRACT 11 (certificates, renewable share, compliance).

Every case: hourly steps in UTC, one grid offer ``utility`` at a flat price, the grid's clean
share 0 (so only certificates and on-site supply are clean), location factor 0.5 tCO2/MWh.
"""

from __future__ import annotations

from typing import Any

from tests.core.helpers import scenario

LOAD = [10.0, 10.0, 10.0, 10.0]
"""40 MWh over 4 hours."""


def case(load: list[float] | None = None, **sections: Any) -> dict[str, Any]:
    return scenario(load or LOAD, price=50.0, **sections)


def annual_go(price: float = 1.0, **kw: Any) -> dict[str, Any]:
    return {"name": "nordic-go", "price_per_mwh": price, "matching": "annual", **kw}


def monthly_go(price: float = 2.0, **kw: Any) -> dict[str, Any]:
    return {"name": "monthly-go", "price_per_mwh": price, "matching": "monthly", **kw}


def hourly_go(price: float = 3.0, **kw: Any) -> dict[str, Any]:
    return {"name": "dk-hourly", "price_per_mwh": price, "matching": "hourly", **kw}


def solar(mw: float, profile: str = "solar_cf") -> dict[str, Any]:
    """Free on-site solar of exactly ``mw`` MW (min = max), so the test fixes its output."""
    return {
        "name": "roof-solar",
        "kind": "solar",
        "profile": profile,
        "capex_per_kw": 0.0,
        "fixed_om_per_kw_year": 0.0,
        "lifetime_years": 20,
        "min_mw": mw,
        "max_mw": mw,
    }
