"""compare: values, marginal values and breakeven strikes checked by hand and by re-solves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.decisions import compare
from optimizer.decisions.output import compare_rows, compare_section, write_compare
from optimizer.scenario import load_problem
from optimizer.solve import solve
from tests.decisions.cases import H2, interior_ppa_case, offers_case

ACCEPTANCE = Path(__file__).resolve().parents[1] / "acceptance"


@pytest.fixture(scope="module")
def hand():  # type: ignore[no-untyped-def]
    return compare(load_problem(offers_case()))


def _items(result):  # type: ignore[no-untyped-def]
    return {i.name: i for i in result.items}


def test_hand_values(hand) -> None:  # type: ignore[no-untyped-def]
    """By hand (load 10 MW, 2 h). Base: step 1 wind 6·40 + index 3·45 + utility 1·50, step 2
    pv 10 MW at 2/MW, plus the index fee 10: 240 + 135 + 50 + 20 + 10 = 455.
    Without index: utility 4·50 instead of 3·45 + 10 → 460 (value 5). Without wind: utility
    takes 6 MW more at 50 instead of 40 → 515 (value 60). Without vppa: nothing changes (0).
    Without pv: step 2 index 3·45 + utility 7·50 = 485 instead of 20 → 920 (value 465).
    Without utility: step 1 has 6 + 3 < 10 MW → infeasible (required)."""
    assert hand.base.objective == pytest.approx(455.0)
    it = _items(hand)
    assert it["utility"].required and it["utility"].value is None
    assert it["index"].value == pytest.approx(5.0)
    assert it["wind"].value == pytest.approx(60.0)
    assert it["vppa"].value == pytest.approx(0.0, abs=1e-9)
    assert it["pv"].value == pytest.approx(465.0)
    assert {n: i.chosen_mw for n, i in it.items()} == pytest.approx(
        {"utility": 1.0, "index": 3.0, "wind": 6.0, "vppa": 0.0, "pv": 10.0}
    )
    assert not any(i.required for n, i in it.items() if n != "utility")


def test_hand_marginal_values(hand) -> None:  # type: ignore[no-untyped-def]
    """Duals by hand: step 1 price 50 (utility marginal), step 2 price 2 (pv marginal).
    Reduced costs per MW over the 2 h: wind 40 − 50 = −10, vppa 5 (35 − 30, no use), index
    in step 1 45 − 50 = −5 at its 3 MW bound, pv 0 (between its bounds). Per MW-year ÷ H."""
    it = _items(hand)
    assert it["wind"].marginal_value_per_mw_year == pytest.approx(10 / H2)
    assert it["vppa"].marginal_value_per_mw_year == pytest.approx(-5 / H2)
    assert it["index"].marginal_value_per_mw_year == pytest.approx(5 / H2)
    assert it["pv"].marginal_value_per_mw_year == pytest.approx(0.0, abs=1e-6)
    assert it["utility"].marginal_value_per_mw_year == pytest.approx(0.0, abs=1e-6)


def test_hand_breakeven(hand) -> None:  # type: ignore[no-untyped-def]
    """wind is at its maximum and saves utility energy at 50: it drops above a strike of 50.
    vppa is not taken; its settlement (strike − 30)/MWh turns to income below 30."""
    it = _items(hand)
    assert it["wind"].breakeven_direction == "down"
    assert it["wind"].breakeven_price_per_mwh == pytest.approx(50.0)
    assert it["vppa"].breakeven_direction == "up"
    assert it["vppa"].breakeven_price_per_mwh == pytest.approx(30.0)
    assert "breakeven_price_per_mwh" not in it["pv"].to_dict()


@pytest.mark.parametrize(
    ("name", "breakeven", "at_base"),
    [("wind", 50.0, 6.0), ("vppa", 30.0, 0.0)],
)
def test_breakeven_agrees_with_cold_resolves(name: str, breakeven: float, at_base: float) -> None:
    """Independent check of the dual-based strikes: fresh solves with --set a cent either side."""
    sc = offers_case()
    vol = {}
    for price in (breakeven - 0.01, breakeven + 0.01):
        r = solve(sc, overrides=[f"ppa_offers[{name}].price_per_mwh={price}"])
        vol[price] = r.summary["capacity_mw"][name]
    inside, outside = breakeven + 0.01, breakeven - 0.01
    if name == "wind":  # at its maximum: holds below the strike, drops above
        assert vol[outside] == pytest.approx(at_base)
        assert vol[inside] < at_base - 1e-6
    else:  # not taken: holds above, rises below
        assert vol[inside] == pytest.approx(at_base, abs=1e-9)
        assert vol[outside] > at_base + 1e-6


def test_interior_ppa_breakeven_and_value() -> None:
    """See cases.interior_ppa_case: 10 MW chosen, value 150, volume rises below 50/3."""
    r = compare(load_problem(interior_ppa_case()))
    (wind,) = [i for i in r.items if i.name == "wind"]
    assert wind.chosen_mw == pytest.approx(10.0)
    assert wind.value == pytest.approx(150.0)
    assert wind.breakeven_direction == "up"
    assert wind.breakeven_price_per_mwh == pytest.approx(50 / 3, abs=0.011)
    assert wind.marginal_value_per_mw_year == pytest.approx(0.0, abs=1e-6)


def test_values_match_cold_solves_week_contracts() -> None:
    """Each PPA's value equals base objective minus a fresh solve with its max_mw set to 0
    (an independent way to leave it out), and every value is ≥ 0."""
    path = ACCEPTANCE / "week-contracts" / "scenario.yaml"
    r = compare(load_problem(path), breakeven=False)
    assert r.base.objective is not None
    for it in r.items:
        assert it.required or (it.value is not None and it.value >= -1e-6 * r.base.objective)
    for it in r.items:
        if it.section != "ppa_offer":
            continue
        cold = solve(path, overrides=[f"ppa_offers[{it.name}].max_mw=0"])
        assert cold.objective is not None
        assert it.value == pytest.approx(cold.objective - r.base.objective, rel=1e-6, abs=1e-3)


def test_rows_ranked_and_section(hand) -> None:  # type: ignore[no-untyped-def]
    rows = compare_rows(hand)
    assert [r["name"] for r in rows] == ["utility", "pv", "wind", "index", "vppa"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    sec = compare_section(hand)
    assert sec.title == "Offers compared"
    assert '<span class="track">' in sec.html  # the report's section: values as HTML bars
    assert all(f"<td>{n}</td>" in sec.html for n in ("utility", "pv", "wind", "index", "vppa"))


def test_write_compare(hand, tmp_path: Path, fake_report) -> None:  # type: ignore[no-untyped-def]
    """The files, and the compare section handed to the report writer with the base run."""
    written = write_compare(hand, tmp_path)
    assert fake_report[0][0] is hand.base
    assert [s.title for s in fake_report[0][1]] == ["Offers compared"]
    names = {p.name for p in written}
    assert {"compare.json", "compare.csv", "compare.png", "report.html"} <= names
    data = json.loads((tmp_path / "compare.json").read_text())
    assert data["base"]["objective"] == pytest.approx(455.0)
    by = {i["name"]: i for i in data["items"]}
    assert by["utility"]["required"] is True and by["utility"]["value"] is None
    assert by["wind"]["breakeven_price_per_mwh"] == pytest.approx(50.0)
    assert "Offers compared" in (tmp_path / "report.html").read_text()
    csv_lines = (tmp_path / "compare.csv").read_text().splitlines()
    assert csv_lines[0].startswith("rank,name,section,kind,chosen_mw")
    assert csv_lines[1].split(",")[1] == "utility"


def _write_json(tmp_path: Path, sc: dict) -> Path:  # type: ignore[type-arg]
    p = tmp_path / "hand.json"
    p.write_text(json.dumps(sc))
    return p


def test_cli_compare_with_set(tmp_path: Path) -> None:
    """--set reprices the wind PPA: at 52 (above the 50 it saves) it is no longer taken."""
    path = _write_json(tmp_path, offers_case())
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        ["compare", str(path), "--out", str(out), "--set", "ppa_offers[wind].price_per_mwh=52"],
    )
    assert res.exit_code == 0, res.output
    data = json.loads((out / "compare.json").read_text())
    wind = next(i for i in data["items"] if i["name"] == "wind")
    assert wind["chosen_mw"] == pytest.approx(0.0, abs=1e-9)
    assert wind["breakeven_price_per_mwh"] == pytest.approx(50.0)


def test_cli_compare_exit_codes(tmp_path: Path) -> None:
    path = _write_json(tmp_path, offers_case())
    runner = CliRunner()
    bad = runner.invoke(
        app,
        ["compare", str(path), "--out", str(tmp_path / "o"), "--set", "ppa_offers[wind].max_mw=-1"],
    )
    assert bad.exit_code == 2
    assert "ppa_offers[wind].max_mw" in bad.output
    assert "Traceback" not in bad.output
    inf = runner.invoke(
        app,
        ["compare", str(path), "--out", str(tmp_path / "o2"), "--set", "carbon.cfe_target=0.9"],
    )
    assert inf.exit_code == 3
    assert "cfe_target" in inf.output
