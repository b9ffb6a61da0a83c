"""Bad input is refused before any model is built (CONTRACT section 2, last paragraph).

"Bad input (missing column, NaN, negative load, a profile above 1, lengths that differ from
`periods`, an unknown key, a duplicate name) is refused before any model is built, with a
message that names the field and, for series, the first bad timestamp."
Each case below names the field (a dotted path, list items by name) it expects, and for series
the 1-based row and the local timestamp of the first bad value.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from optimizer.errors import ScenarioError
from optimizer.scenario import load_problem
from tests.core.helpers import battery, local_stamps, scenario, write_files

Mutate = Callable[[dict[str, Any]], object]


def good() -> dict[str, Any]:
    """Four Monday hours in UTC with one of every kind of input."""
    return scenario(
        [10, 11, 12, 13],
        price=[50, 50, 60, 60],
        spot=[40, 40, 40, 40],
        cfe_share=[0.1, 0.2, 0.3, 0.4],
        carbon_intensity=[0.5, 0.4, 0.3, 0.2],
        carbon={"price_per_tco2": 0},
        columns={"solar_cf": [0.0, 0.5, 1.0, 0.2]},
        ppa_offers=[
            {
                "name": "wind-a",
                "kind": "pay_as_produced",
                "profile": "solar_cf",
                "price_per_mwh": 45,
                "max_mw": 10,
            }
        ],
        technologies=[
            {
                "name": "solar",
                "kind": "solar",
                "profile": "solar_cf",
                "capex_per_kw": 1000,
                "lifetime_years": 25,
                "max_mw": 20,
            },
            battery(max_mw=5, round_trip_efficiency=0.9, min_duration_hours=1),
        ],
        finance={"discount_rate": 0.05},
    )


def _refuse(sc: dict[str, Any], base_dir: Path | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_problem(sc, base_dir=base_dir)
    return info.value


def _field(err: ScenarioError, field: str) -> Any:
    """The FieldError that names ``field`` exactly."""
    hits = [e for e in err.errors if e.field == field]
    assert hits, f"no error names {field!r}: {err}"
    return hits[0]


def test_the_good_scenario_is_accepted() -> None:
    """The base of every case below loads: the failures are due to each mutation alone."""
    p = load_problem(good())
    assert p.periods == 4
    assert list(p.load_mw) == [10, 11, 12, 13]


def _set_col(name: str, i: int, value: Any) -> Mutate:
    def m(sc: dict[str, Any]) -> None:
        sc["series"]["columns"][name][i] = value

    return m


# (mutation, field, row, timestamp) — row/timestamp None where the field is not a series.
SERIES_CASES: list[tuple[str, Mutate, str, int, str]] = [
    ("nan load", _set_col("load_mw", 2, float("nan")), "load.mw", 3, "2027-01-04T02:00"),
    ("null load", _set_col("load_mw", 1, None), "load.mw", 2, "2027-01-04T01:00"),
    ("negative load", _set_col("load_mw", 1, -1.0), "load.mw", 2, "2027-01-04T01:00"),
    (
        "profile above 1",
        _set_col("solar_cf", 3, 1.2),
        "ppa_offers[wind-a].profile",
        4,
        "2027-01-04T03:00",
    ),
    ("cfe share above 1", _set_col("grid_cfe", 0, 1.5), "grid.cfe_share", 1, "2027-01-04T00:00"),
    (
        "negative carbon intensity",
        _set_col("grid_ci", 2, -0.1),
        "grid.carbon_intensity_tco2_per_mwh",
        3,
        "2027-01-04T02:00",
    ),
]


@pytest.mark.parametrize(
    ("what", "mutate", "field", "row", "stamp"), SERIES_CASES, ids=[c[0] for c in SERIES_CASES]
)
def test_bad_series_value_names_field_row_and_timestamp(
    what: str, mutate: Mutate, field: str, row: int, stamp: str
) -> None:
    """CONTRACT 2: NaN, negative load, a profile above 1 → the field and the first bad row."""
    sc = good()
    mutate(sc)
    e = _field(_refuse(sc), field)
    assert e.row == row
    assert e.timestamp is not None and e.timestamp.startswith(stamp)


def test_profile_above_one_is_refused_for_every_user_of_the_column() -> None:
    """The solar technology reads the same column: it is named too (its own field)."""
    sc = good()
    sc["series"]["columns"]["solar_cf"][3] = 1.2
    err = _refuse(sc)
    assert _field(err, "technologies[solar].profile").row == 4


def _set(path: list[Any], value: Any) -> Mutate:
    def m(sc: dict[str, Any]) -> None:
        node: Any = sc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return m


def _tech(i: int, **kw: Any) -> Mutate:
    def m(sc: dict[str, Any]) -> None:
        sc["technologies"][i].update(kw)

    return m


# (case, mutation, field named, a word the message must contain)
FIELD_CASES: list[tuple[str, Mutate, str, str]] = [
    ("missing column", _set(["load", "mw"], "no_such_col"), "load.mw", "no_such_col"),
    (
        "missing profile column",
        _tech(0, profile="nope_cf"),
        "technologies[solar].profile",
        "nope_cf",
    ),
    ("unknown top-level key", _set(["carbn"], {}), "carbn", "unknown"),
    ("unknown site key", _set(["site", "timezon"], "UTC"), "site.timezon", "unknown"),
    (
        "unknown key in a list item",
        _tech(1, round_trip_eff=0.9),
        "technologies[bess].round_trip_eff",
        "unknown",
    ),
    (
        "unknown key in a grid offer",
        lambda sc: sc["grid_offers"][0].update(demand_charge=5),
        "grid_offers[utility].demand_charge",
        "unknown",
    ),
    (
        "unknown ppa kind",
        lambda sc: sc["ppa_offers"][0].update(kind="physical"),
        "ppa_offers[wind-a].kind",
        "baseload",
    ),
    (
        "efficiency zero",
        _tech(1, round_trip_efficiency=0),
        "technologies[bess].round_trip_efficiency",
        "0",
    ),
    (
        "efficiency above one",
        _tech(1, round_trip_efficiency=1.2),
        "technologies[bess].round_trip_efficiency",
        "1",
    ),
    (
        "efficiency negative",
        _tech(1, round_trip_efficiency=-0.5),
        "technologies[bess].round_trip_efficiency",
        "0",
    ),
    ("lifetime zero", _tech(0, lifetime_years=0), "technologies[solar].lifetime_years", "0"),
    ("lifetime negative", _tech(1, lifetime_years=-3), "technologies[bess].lifetime_years", "0"),
    (
        "negative discount rate",
        _set(["finance", "discount_rate"], -0.01),
        "finance.discount_rate",
        "0",
    ),
    (
        "text in a number field",
        _tech(0, capex_per_kw="cheap"),
        "technologies[solar].capex_per_kw",
        "number",
    ),
    ("periods zero", _set(["site", "periods"], 0), "site.periods", "0"),
    ("resolution 45", _set(["site", "resolution_minutes"], 45), "site.resolution_minutes", "15"),
    ("unknown time zone", _set(["site", "timezone"], "Mars/Olympus"), "site.timezone", "Mars"),
    ("cfe target above 1", _set(["carbon", "cfe_target"], 1.5), "carbon.cfe_target", "1"),
    ("missing grid section", lambda sc: sc.pop("grid"), "grid", "required"),
    ("no grid offer", _set(["grid_offers"], []), "grid_offers", "1"),
    (
        "series length differs",
        lambda sc: sc["series"]["columns"]["price"].pop(),
        "series.columns.price",
        "3",
    ),
    (
        "inline timestamps wrong length",
        lambda sc: sc["series"].update(timestamp=["2027-01-04T00:00"]),
        "series.timestamp",
        "1",
    ),
    (
        "virtual ppa without spot",
        lambda sc: (
            sc["grid"].pop("spot_price_per_mwh"),
            sc["ppa_offers"][0].update(kind="virtual"),
        ),
        "ppa_offers[wind-a].kind",
        "spot",
    ),
]


@pytest.mark.parametrize(
    ("what", "mutate", "field", "word"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES]
)
def test_bad_field_is_named(what: str, mutate: Mutate, field: str, word: str) -> None:
    """Section 2's minimum list plus the issue's: unknown keys (typos), bad numbers, etc."""
    sc = good()
    mutate(sc)
    e = _field(_refuse(sc), field)
    assert word.lower() in str(e).lower()


# Item-level checks (a relation between two fields): the item is named and the message names
# both fields.
ITEM_CASES: list[tuple[str, Mutate, str, tuple[str, ...]]] = [
    (
        "unknown technology kind",
        _tech(0, kind="nuclear"),
        "technologies[solar]",
        ("kind", "nuclear"),
    ),
    (
        "tech min above max",
        _tech(0, min_mw=30, max_mw=20),
        "technologies[solar]",
        ("min_mw", "max_mw"),
    ),
    (
        "ppa min above max",
        lambda sc: sc["ppa_offers"][0].update(min_mw=11, max_mw=10),
        "ppa_offers[wind-a]",
        ("min_mw", "max_mw"),
    ),
    (
        "durations reversed",
        _tech(1, min_duration_hours=4, max_duration_hours=2),
        "technologies[bess]",
        ("min_duration_hours", "max_duration_hours"),
    ),
    (
        "baseload with a profile",
        lambda sc: sc["ppa_offers"][0].update(kind="baseload"),
        "ppa_offers[wind-a]",
        ("profile",),
    ),
    (
        "both energy price and index adder",
        lambda sc: sc["grid_offers"][0].update(index_adder_per_mwh=5),
        "grid_offers[utility]",
        ("index_adder_per_mwh", "energy_price_per_mwh"),
    ),
]


@pytest.mark.parametrize(
    ("what", "mutate", "field", "words"), ITEM_CASES, ids=[c[0] for c in ITEM_CASES]
)
def test_bad_item_names_item_and_fields(
    what: str, mutate: Mutate, field: str, words: tuple[str, ...]
) -> None:
    sc = good()
    mutate(sc)
    err = _refuse(sc)
    hits = [e for e in err.errors if e.field.startswith(field)]
    assert hits, str(err)
    text = " ".join(str(e) for e in hits)
    for w in words:
        assert w in text


def test_duplicate_name_across_sections() -> None:
    """CONTRACT 1: "Every asset and offer has a name, unique within the scenario"."""
    sc = good()
    sc["ppa_offers"][0]["name"] = "bess"
    err = _refuse(sc)
    hits = [e for e in err.errors if "bess" in e.field]
    assert hits and "duplicate" in str(hits[0]).lower()


def test_duplicate_name_within_a_list() -> None:
    sc = good()
    sc["grid_offers"].append({"name": "utility", "energy_price_per_mwh": 70})
    err = _refuse(sc)
    assert any("utility" in e.field and "duplicate" in e.message.lower() for e in err.errors)


def test_tou_blocks_that_leave_a_step_uncovered() -> None:
    """CONTRACT 3.2: "a step that no block matches is an input error". Blocks for hours 0-1
    only; the first uncovered step is hour 2 of 2027-01-04 (row 3)."""
    sc = good()
    sc["grid_offers"][0]["energy_price_per_mwh"] = {"tou": [{"hours": [0, 1], "price_per_mwh": 40}]}
    e = _field(_refuse(sc), "grid_offers[utility].energy_price_per_mwh")
    assert e.row == 3
    assert e.timestamp is not None and e.timestamp.startswith("2027-01-04T02:00")


def test_several_errors_reported_together() -> None:
    """A negative load and a profile above 1 are both named in one refusal."""
    sc = good()
    sc["series"]["columns"]["load_mw"][0] = -5
    sc["series"]["columns"]["solar_cf"][1] = 3
    err = _refuse(sc)
    fields = {e.field for e in err.errors}
    assert "load.mw" in fields
    assert "technologies[solar].profile" in fields


# --------------------------------------------------------------------------------------------
# files


def test_text_in_a_numeric_csv_column(tmp_path: Path) -> None:
    """A CSV cell 'twelve' in load_mw (row 2): the field, the row and its timestamp are named."""
    path = write_files(good(), tmp_path)
    csv = tmp_path / "profiles.csv"
    lines = csv.read_text().splitlines()
    cells = lines[2].split(",")
    cells[1] = "twelve"
    lines[2] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n")
    assert lines[0].split(",")[1] == "load_mw"
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    e = _field(info.value, "load.mw")
    assert e.row == 2
    assert e.timestamp is not None and e.timestamp.startswith("2027-01-04T01:00")
    assert "twelve" in e.message


def test_missing_series_file(tmp_path: Path) -> None:
    path = write_files(good(), tmp_path)
    (tmp_path / "profiles.csv").unlink()
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    assert _field(info.value, "series.file")


def test_series_file_with_fewer_rows_than_periods(tmp_path: Path) -> None:
    """CONTRACT 2: "lengths that differ from `periods`"."""
    sc = good()
    path = write_files(sc, tmp_path)
    csv = tmp_path / "profiles.csv"
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    assert any(e.field.startswith("series") for e in info.value.errors)
    assert "3" in str(info.value) and "4" in str(info.value)


def test_series_timestamp_that_differs_names_the_row(tmp_path: Path) -> None:
    """CONTRACT 3: the timestamps "must name exactly these steps ..., else an input error
    names the first row that differs" (row 3 here, an hour late)."""
    sc = good()
    stamps = local_stamps(sc["site"])
    stamps[2] = "2027-01-04T05:00"
    stamps[3] = "2027-01-04T06:00"
    path = write_files(sc, tmp_path, timestamps=stamps)
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    e = _field(info.value, "series.timestamp")
    assert e.row == 3


def test_series_file_without_timestamp_column(tmp_path: Path) -> None:
    path = write_files(good(), tmp_path)
    csv = tmp_path / "profiles.csv"
    lines = csv.read_text().splitlines()
    csv.write_text("\n".join(",".join(line.split(",")[1:]) for line in lines) + "\n")
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    assert "timestamp" in str(info.value)


def test_unreadable_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("site: [unclosed\n")
    with pytest.raises(ScenarioError):
        load_problem(path)
    with pytest.raises(ScenarioError):
        load_problem(tmp_path / "absent.yaml")


# --------------------------------------------------------------------------------------------
# before any model is built


def test_refused_before_any_model_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """``solve(mapping)`` raises the ScenarioError without calling the model builder."""
    import optimizer.solve as solve_module

    def boom(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the model was built for a bad scenario")

    monkeypatch.setattr(solve_module, "build_model", boom)
    sc = good()
    sc["series"]["columns"]["load_mw"][0] = -1
    with pytest.raises(ScenarioError):
        solve_module.solve(sc)
    sc2 = copy.deepcopy(good())
    sc2["site"]["typo"] = 1
    with pytest.raises(ScenarioError):
        solve_module.solve(sc2)


NON_FINITE_CASES: list[tuple[str, Mutate, str]] = [
    (
        "ppa price nan",
        lambda sc: sc["ppa_offers"][0].update(price_per_mwh=float("nan")),
        "ppa_offers[wind-a].price_per_mwh",
    ),
    ("capex inf", _tech(0, capex_per_kw=float("inf")), "technologies[solar].capex_per_kw"),
    (
        "demand charge inf",
        lambda sc: sc["grid_offers"][0].update(demand_charge_per_mw_month=float("inf")),
        "grid_offers[utility].demand_charge_per_mw_month",
    ),
    (
        "carbon price inf",
        _set(["carbon", "price_per_tco2"], float("inf")),
        "carbon.price_per_tco2",
    ),
    (
        "battery capex nan",
        _tech(1, energy_capex_per_kwh=float("nan")),
        "technologies[bess].energy_capex_per_kwh",
    ),
    (
        "tou price nan",
        lambda sc: sc["grid_offers"][0].update(
            energy_price_per_mwh={"tou": [{"price_per_mwh": float("nan")}]}
        ),
        "grid_offers[utility].energy_price_per_mwh.tou[0].price_per_mwh",
    ),
]


@pytest.mark.parametrize(
    ("what", "mutate", "field"), NON_FINITE_CASES, ids=[c[0] for c in NON_FINITE_CASES]
)
def test_non_finite_numbers_are_refused(what: str, mutate: Mutate, field: str) -> None:
    """CONTRACT 2 lists NaN among the bad input refused before any model is built. A NaN or
    infinite number in a scalar money field used to pass validation and give an 'optimal'
    result with a NaN objective (or a solver failure, exit 1)."""
    sc = good()
    mutate(sc)
    assert _field(_refuse(sc), field)


def test_duplicate_column_in_series_file(tmp_path: Path) -> None:
    """Two CSV columns named load_mw make `load.mw` ambiguous: refused, the column named
    (pandas would silently rename the second to 'load_mw.1' and use the first)."""
    path = write_files(good(), tmp_path)
    csv = tmp_path / "profiles.csv"
    lines = csv.read_text().splitlines()
    header = lines[0].split(",")
    assert header[1] == "load_mw"
    lines = [line + "," + line.split(",")[1] for line in lines]
    csv.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as info:
        load_problem(path)
    e = _field(info.value, "series.file")
    assert "load_mw" in e.message
