"""Materials, embodied carbon and footprint on tiny hand-made scenarios (issue 7).

Every expected number is worked out by hand in the docstring from the scenario's sizes and
the defaults table (optimizer/materials/defaults.py, docs/materials.md).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from optimizer.errors import ScenarioError
from optimizer.materials import defaults
from optimizer.materials.report import footprint_section
from optimizer.scenario import load_problem
from optimizer.solve import solve

H4 = 4 / 8760  # horizon fraction of 4 hourly steps
ROOT = Path(__file__).resolve().parents[2]


def base(periods: int = 4) -> dict[str, Any]:
    return {
        "name": "materials-test",
        "site": {
            "timezone": "UTC",
            "start": "2027-01-01T00:00",
            "periods": periods,
            "resolution_minutes": 60,
            "grid_import_limit_mw": 100,
        },
        "series": {"columns": {"sol": [0.0, 0.5, 1.0, 0.5][:periods]}},
        "load": {"mw": 10},
        "grid": {"carbon_intensity_tco2_per_mwh": 0.4, "cfe_share": 0.0},
        "grid_offers": [{"name": "utility", "energy_price_per_mwh": 50}],
        "finance": {"discount_rate": 0.0},
    }


def portfolio() -> dict[str, Any]:
    """10 MW solar, a 5 MW / 10 MWh battery and a 20 MW wind PPA, all fixed in size."""
    s = base()
    s["technologies"] = [
        {
            "name": "pv",
            "kind": "solar",
            "profile": "sol",
            "capex_per_kw": 1000,
            "lifetime_years": 25,
            "min_mw": 10,
            "max_mw": 10,
            "materials_kg_per_mw": {"copper": 3000},
            "embodied_carbon_tco2_per_mw": 500,
        },
        {
            "name": "bess",
            "kind": "battery",
            "power_capex_per_kw": 100,
            "energy_capex_per_kwh": 100,
            "lifetime_years": 16,
            "round_trip_efficiency": 0.9,
            "min_duration_hours": 2,
            "max_duration_hours": 2,
            "min_mw": 5,
            "max_mw": 5,
        },
    ]
    s["ppa_offers"] = [
        {
            "name": "wind-a",
            "kind": "baseload",
            "price_per_mwh": 40,
            "min_mw": 20,
            "max_mw": 20,
            "materials_basis": "wind_onshore",
            "plant_lifetime_years": 20,
        }
    ]
    s["site"]["grid_export_limit_mw"] = 100
    return s


def test_tonnes_and_embodied_of_a_known_portfolio() -> None:
    """Tonnes and embodied carbon of fixed sizes, by hand.

    pv 10 MW, solar_pv basis with copper overridden to 3,000 kg/MW:
        copper 30 t, silicon 10·3,948/1000 = 39.48 t, zinc 0.3 t, nickel 0.01 t;
        embodied 500·10 = 5,000 t over 25 years = 200 t/yr.
    bess 5 MW × 2 h = 10 MWh, battery_lfp basis (per MWh: lithium 100 kg, graphite 1,000 kg,
        copper 385 kg; 80 tCO2e): lithium 1 t, graphite 10 t, copper 3.85 t;
        embodied 800 t over 16 years = 50 t/yr.
    wind-a 20 MW, wind_onshore basis: copper 2,900·20 = 58 t, zinc 110 t, manganese 15.6 t,
        chromium 9.4 t, nickel 8.08 t, molybdenum 1.98 t, rare earths 0.28 t;
        embodied 578·20 = 11,560 t over 20 years = 578 t/yr.
    Totals: copper 30 + 3.85 + 58 = 91.85 t; zinc 110.3 t; nickel 8.09 t;
        embodied 17,360 t, 828 t/yr, 828·4/8760 t for the 4-hour horizon.
    """
    r = solve(portfolio())
    assert r.status == "optimal"
    m = r.summary["materials"]["total_tonnes"]
    expected = {
        "copper": 91.85,
        "silicon": 39.48,
        "zinc": 110.3,
        "nickel": 8.09,
        "lithium": 1.0,
        "graphite": 10.0,
        "manganese": 15.6,
        "chromium": 9.4,
        "molybdenum": 1.98,
        "rare_earths": 0.28,
    }
    assert set(m) == set(expected)
    for k, v in expected.items():
        assert m[k] == pytest.approx(v, rel=1e-9), k
    by_item = r.summary["materials"]["by_item_tonnes"]
    assert by_item["bess"] == pytest.approx({"lithium": 1.0, "graphite": 10.0, "copper": 3.85})
    assert r.summary["materials"]["basis"] == {
        "pv": "solar_pv",
        "bess": "battery_lfp",
        "wind-a": "wind_onshore",
    }
    e = r.summary["embodied_carbon"]
    assert e["total_tco2"] == pytest.approx(17_360.0)
    assert e["annualised_tco2_per_year"] == pytest.approx(828.0)
    assert e["horizon_tco2"] == pytest.approx(828.0 * H4)
    assert e["by_item"]["wind-a"]["annualised_tco2_per_year"] == pytest.approx(578.0)
    assert e["included_in_emissions"] is False
    assert "footprint" not in r.summary  # no IT load, no compute


def test_include_embodied_reaches_emissions_and_carbon_price() -> None:
    """With fixed sizes the dispatch cannot change, so switching carbon.include_embodied on
    adds exactly the horizon's annualised embodied carbon, 828·4/8760 t, to the
    location-based emissions, and price·that to the carbon cost (price 100 per tCO2)."""
    off = portfolio()
    off["carbon"] = {"price_per_tco2": 100}
    on = copy.deepcopy(off)
    on["carbon"]["include_embodied"] = True
    a, b = solve(off), solve(on)
    added = 828.0 * H4
    da = (
        b.summary["emissions_tco2"]["location_based"]
        - a.summary["emissions_tco2"]["location_based"]
    )
    assert da == pytest.approx(added, rel=1e-6)
    assert b.summary["carbon_cost"] - a.summary["carbon_cost"] == pytest.approx(100 * added)
    assert b.objective - a.objective == pytest.approx(100 * added, rel=1e-6)
    assert b.summary["total_cost"] == pytest.approx(a.summary["total_cost"])


def _footprint_case(it_from: str) -> dict[str, Any]:
    s = base()
    s["grid"]["spot_price_per_mwh"] = 50
    if it_from == "load":
        s["load"]["it_mw"] = 8
    s["compute"] = {"gpu_count": 10_000, "gpu_power_kw": 0.8}
    s["ppa_offers"] = [
        {
            "name": "vppa",
            "kind": "virtual",
            "profile": 1.0,
            "price_per_mwh": 50,
            "min_mw": 4,
            "max_mw": 4,
            "embodied_carbon_tco2_per_mw": 1000,
            "plant_lifetime_years": 25,
        }
    ]
    return s


@pytest.mark.parametrize("it_from", ["load", "compute"])
def test_footprint_per_it_mwh_and_gpu_hour(it_from: str) -> None:
    """Load 10 MW for 4 h from one grid offer at 50/MWh and 0.4 tCO2/MWh; IT load 8 MW (from
    load.it_mw, or 10,000 GPUs × 0.8 kW); a 4 MW virtual PPA struck at spot (no settlement)
    covers 4 of the 10 MW imported in every step.

    IT energy 32 MWh, site energy 40 MWh, PUE 1.25. Cost 40·50 = 2,000 → 62.5 per IT MWh.
    Scope 2 location 0.4·40 = 16 t → 0.5 t/IT MWh; market 0.4·6·4 = 9.6 t → 0.3 t/IT MWh.
    Embodied: 4 MW·1,000 t = 4,000 t over 25 years = 160 t/yr → 160·4/8760 t in the horizon.
    Per GPU-hour (0.8 kW = 0.0008 MWh): cost 0.05; scope 2 location 0.4 kg, market 0.24 kg;
    40,000 GPU-hours that draw 32 MWh = all the IT energy (share 1).
    """
    r = solve(_footprint_case(it_from))
    assert r.status == "optimal"
    fp = r.summary["footprint"]
    emb = 160.0 * H4
    assert fp["it_energy_basis"] == ("it_load" if it_from == "load" else "compute")
    assert fp["it_energy_mwh"] == pytest.approx(32.0)
    assert fp["site_energy_mwh"] == pytest.approx(40.0)
    assert fp["pue"] == pytest.approx(1.25)
    assert fp["cost_per_it_mwh"] == pytest.approx(62.5)
    assert fp["scope1_tco2_per_it_mwh"] == pytest.approx(0.0)
    assert fp["scope2_location_tco2_per_it_mwh"] == pytest.approx(0.5)
    assert fp["scope2_market_tco2_per_it_mwh"] == pytest.approx(0.3)
    assert fp["embodied_tco2_per_it_mwh"] == pytest.approx(emb / 32)
    assert fp["total_location_tco2_per_it_mwh"] == pytest.approx(0.5 + emb / 32)
    assert fp["emissions_tco2"]["scope2_market_based"] == pytest.approx(9.6)
    assert fp["gpu_hours"] == pytest.approx(40_000)
    assert fp["gpu_share_of_it_energy"] == pytest.approx(1.0)
    assert fp["cost_per_gpu_hour"] == pytest.approx(0.05)
    assert fp["scope2_location_kgco2_per_gpu_hour"] == pytest.approx(0.4)
    assert fp["scope2_market_kgco2_per_gpu_hour"] == pytest.approx(0.24)
    assert fp["embodied_kgco2_per_gpu_hour"] == pytest.approx(emb / 32 * 0.8)
    section = footprint_section(r.summary)
    assert section is not None and section.anchor == "footprint"
    assert "per GPU-hour" in section.html and "62.5" in section.html


def _arbitrage(lithium_cap_tonnes: float | None) -> dict[str, Any]:
    """Price 20 / 200 / 20 / 200 per MWh, load 10 MW: a cheap LFP battery is worth buying."""
    s = base()
    s["grid_offers"] = [{"name": "utility", "energy_price_per_mwh": "price"}]
    s["series"]["columns"]["price"] = [20.0, 200.0, 20.0, 200.0]
    s["technologies"] = [
        {
            "name": "bess",
            "kind": "battery",
            "power_capex_per_kw": 10,
            "energy_capex_per_kwh": 100,
            "lifetime_years": 10,
            "round_trip_efficiency": 0.9,
            "max_mw": 50,
        }
    ]
    if lithium_cap_tonnes is not None:
        s["materials_limits"] = {"lithium": lithium_cap_tonnes}
    return s


def test_binding_lithium_cap_shifts_away_from_batteries_with_positive_price() -> None:
    """Without a cap the battery covers the whole 10 MW peak: E = 10/η = 10/√0.9 ≈ 10.54 MWh,
    i.e. 1.054 t of lithium at 100 kg/MWh. A 0.5 t cap allows 5 MWh only: the battery
    shrinks, the objective rises and the cap's shadow price is positive. It equals the
    objective change of relaxing the cap by 0.01 t (the LP is linear around the optimum), and
    by hand: one MWh of E earns 2 cycles·(200·η − 20/η) = 337.3 less its energy cost
    1000·100/10·H = 4.566 and power cost 1000·10/10·H/η = 0.481 → 332.3 per MWh,
    ×10 MWh per tonne = 3,323 per tonne."""
    free = solve(_arbitrage(None))
    capped = solve(_arbitrage(0.5))
    relaxed = solve(_arbitrage(0.51))
    assert free.status == capped.status == relaxed.status == "optimal"
    e_free = free.summary["storage_mwh"]["bess"]
    assert e_free == pytest.approx(10 / 0.9**0.5, rel=1e-6)
    assert free.summary["materials"]["total_tonnes"]["lithium"] == pytest.approx(e_free / 10)
    assert capped.summary["storage_mwh"]["bess"] == pytest.approx(5.0, rel=1e-6)
    assert capped.summary["materials"]["total_tonnes"]["lithium"] == pytest.approx(0.5)
    assert capped.objective > free.objective + 100
    price = capped.summary["shadow_prices"]["materials_per_tonne"]["lithium"]
    assert price > 0
    fd = (capped.objective - relaxed.objective) / 0.01
    assert price == pytest.approx(fd, rel=1e-6)
    eta = 0.9**0.5
    by_hand = 10 * (2 * (200 * eta - 20 / eta) - 1000 * 100 / 10 * H4 - 1000 * 10 / 10 * H4 / eta)
    assert price == pytest.approx(by_hand, rel=1e-6)
    assert capped.summary["materials"]["shadow_price_per_tonne_year"]["lithium"] == pytest.approx(
        price / H4
    )
    # a slack cap has price 0 and changes nothing
    slack = solve(_arbitrage(5.0))
    assert slack.summary["shadow_prices"]["materials_per_tonne"]["lithium"] == pytest.approx(0.0)
    assert slack.objective == pytest.approx(free.objective)
    # the existing shadow-price keys are still there
    assert {"cfe_per_mwh", "emissions_cap_per_tco2"} <= set(capped.summary["shadow_prices"])


BAD_INPUT: list[tuple[str | None, int, dict[str, Any], str, str]] = [
    # (list key or None for the top level, index, keys to set, field named, words in message)
    ("technologies", 0, {"materials_basis": "solar_cdte"}, "technologies[pv].materials_basis",
     "unknown basis"),
    ("technologies", 1, {"materials_basis": "solar_pv"}, "technologies[bess].materials_basis",
     "describes solar"),
    (None, 0, {"materials_limits": {"lithum": 1}}, "materials_limits.lithum",
     "no technology or PPA holds"),
    (None, 0, {"materials_limits": {"lithium": 0.5}}, "materials_limits.lithium",
     "already hold 1 t"),
    ("technologies", 0, {"materials_kg_per_mw": {"Copper": 1}},
     "technologies[pv].materials_kg_per_mw.Copper", "lower-case"),
    ("ppa_offers", 0,
     {"materials_basis": None, "plant_lifetime_years": None, "embodied_carbon_tco2_per_mw": 5},
     "ppa_offers[wind-a].plant_lifetime_years", "annualise"),
    ("ppa_offers", 0, {"materials_basis": "battery_lfp"}, "ppa_offers[wind-a].materials_basis",
     "battery"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "index", "keys", "field", "words"), BAD_INPUT)
def test_bad_materials_input_is_refused_naming_the_field(
    where: str | None, index: int, keys: dict[str, Any], field: str, words: str
) -> None:
    s = portfolio()
    (s if where is None else s[where][index]).update(keys)
    with pytest.raises(ScenarioError) as exc:
        load_problem(s)
    fields = {e.field: e.message for e in exc.value.errors}
    assert field in fields, fields
    assert words in fields[field]


def test_unknown_keys_still_refused_and_old_scenarios_unchanged() -> None:
    """The new keys are optional; a misspelt one is still an error."""
    s = base()
    s["carbon"] = {"include_embodyed": True}
    with pytest.raises(ScenarioError):
        load_problem(s)
    p = load_problem(base())
    assert p.materials.items == [] and p.materials.limits_tonnes == {}


def test_basis_none_and_zero_override_drop_defaults() -> None:
    """materials_basis: none drops every default; a 0 override drops one material."""
    s = portfolio()
    s["technologies"][0].update(materials_basis="none", embodied_carbon_tco2_per_mw=None)
    s["technologies"][1]["materials_kg_per_mwh"] = {"graphite": 0}
    items = {it.name: it for it in load_problem(s).materials.items}
    assert items["pv"].kg_per_mw == {"copper": 3000.0} and items["pv"].tco2_per_mw == 0.0
    assert items["bess"].kg_per_mwh == {"lithium": 100.0, "copper": 385.0}


def test_every_default_is_sourced_and_within_its_range() -> None:
    for basis in defaults.BASES.values():
        assert basis.kind in defaults.DEFAULT_BASIS_BY_KIND
        values = [
            *basis.materials_kg_per_mw.values(),
            *basis.materials_kg_per_mwh.values(),
            *(
                v
                for v in (basis.embodied_carbon_tco2_per_mw, basis.embodied_carbon_tco2_per_mwh)
                if v
            ),
        ]
        for v in values:
            assert v.source in defaults.SOURCES
            assert v.value > 0
            if v.low is not None:
                assert v.high is not None and v.low <= v.value <= v.high
        for m in (*basis.materials_kg_per_mw, *basis.materials_kg_per_mwh):
            assert m in defaults.MATERIALS
    for kind, name in defaults.DEFAULT_BASIS_BY_KIND.items():
        assert defaults.BASES[name].kind == kind


def test_docs_page_lists_every_default_and_source() -> None:
    """docs/materials.md holds the table rendered from the defaults, word for word."""
    text = (ROOT / "docs" / "materials.md").read_text(encoding="utf-8")
    assert defaults.markdown_table() in text
    assert defaults.sources_markdown() in text
