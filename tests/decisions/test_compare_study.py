"""``compare`` over a study: each item's value is the change of the STUDY objective (the
present value over a pathway, the risk objective of a scenario set) when the whole study is
solved without it; hand-solved cases (docs/decisions.md, "Studies")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pytest import approx
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.decisions import compare
from optimizer.scenario import load_problem
from tests.cases.test_pathway import one_year_ppa
from tests.cases.test_risk import risk_case
from tests.core.helpers import scenario

HOURS = 8760.0
runner = CliRunner()


def _pathway() -> dict[str, Any]:
    """tests/cases/test_pathway.py's first case: one hour a year, load 10 MW, r = 0; grid at
    20/MWh in 2027 and 200/MWh in 2028; solar (profile 1, 0..10 MW) at capex 8,760/kW over
    10 years: 876,000 per MW-year (100/MWh). Built in 2028 (10 MW), not in 2027.
    With pv: 2027 20·10·8760 = 1,752,000 + 2028 10·876,000 = 8,760,000 → 10,512,000.
    Without pv: 1,752,000 + 200·10·8760 = 17,520,000 → 19,272,000."""
    sc = scenario(
        [10],
        price=20,
        technologies=[
            {
                "name": "pv",
                "kind": "solar",
                "profile": 1.0,
                "capex_per_kw": 8760,
                "lifetime_years": 10,
                "max_mw": 10,
            }
        ],
        finance={"discount_rate": 0},
    )
    sc["horizon"] = {
        "years": [
            {"year": 2027},
            {"year": 2028, "set": {"grid_offers[utility].energy_price_per_mwh": 200}},
        ]
    }
    return sc


def test_a_pathway_values_the_build_of_a_later_year() -> None:
    """value(pv) = 19,272,000 − 10,512,000 = 8,760,000 (present value over 2027–2028), not
    the first year's 0 MW. chosen_mw is the most MW standing in any year (10).
    Marginal values by year, −(reduced cost of the build column):
    2027: one more MW built in 2027 pays 876,000 in both years, saves 20·8,760 = 175,200 of
    grid in 2027 and, in 2028 (standing capacity at max_mw 10), one MW of the 2028 build
    (876,000): −(2·876,000 − 175,200 − 876,000) = −700,800. 2028: the build is basic, 0.
    Energy by year, scaled to a whole year: 0 in 2027, 10·8,760 = 87,600 in 2028; over the
    horizon 87,600 MWh."""
    r = compare(load_problem(_pathway()))
    d = r.to_dict()
    assert d["objective_kind"] == "present_value"
    assert "2027–2028" in d["value_unit"]
    pv = next(i for i in r.items if i.name == "pv")
    assert r.base.objective == approx(10_512_000.0)
    assert pv.value == approx(8_760_000.0)
    assert pv.objective_without == approx(19_272_000.0)
    assert pv.chosen_mw == approx(10.0)
    assert pv.built_mw_by_year == approx({"2027": 0.0, "2028": 10.0}, abs=1e-7)
    assert pv.capacity_mw_by_year == approx({"2027": 0.0, "2028": 10.0}, abs=1e-7)
    assert pv.marginal_value_per_mw_by_year == approx({"2027": -700_800.0, "2028": 0.0}, abs=1e-6)
    assert pv.marginal_value_per_mw_year is None
    assert pv.energy_mwh_by_year == approx({"2027": 0.0, "2028": 87_600.0}, abs=1e-6)
    assert pv.energy_mwh == approx(87_600.0)
    assert pv.verdict.startswith("build 10.0 MW in 2028: worth 8,760,000")
    assert "present value" in pv.verdict


def test_the_report_shows_a_pathway_item_by_year() -> None:
    """The compare section of report.html has a by-year table: pv stands 0 MW in 2027 and
    10 MW in 2028 (built that year), one more MW worth −700,800 per MW-year in 2027 and 0
    in 2028 (the numbers of the test above)."""
    from optimizer.report.decisions import by_year_rows, compare_section

    r = compare(load_problem(_pathway()))
    years, rows = by_year_rows(r)
    assert years == ["2027", "2028"]
    pv = next(row for row in rows if row["name"] == "pv")
    assert [c["standing"] for c in pv["cells"]] == approx([0.0, 10.0], abs=1e-7)
    assert [c["built"] for c in pv["cells"]] == approx([0.0, 10.0], abs=1e-7)
    assert [c["marginal"] for c in pv["cells"]] == approx([-700_800.0, 0.0], abs=1e-6)
    html = compare_section(r).html
    assert "By year" in html
    assert '<th class="num">2028</th>' in html
    assert "built 10.0 MW" in html or "built 10 MW" in html


def test_a_pathway_ppa_breakeven_counts_every_year_of_its_term() -> None:
    """A baseload PPA at 50 from 2028 for one year (0..10 MW), grid at 100 in 2027–2029,
    load 10, r = 0: c = 10 in 2028. Objective = (2·100·10 + 50·10)·8,760 = 21,900,000;
    without it 3·100·10·8,760 = 26,280,000: value 4,380,000. Its cost coefficient is
    strike·8,760 per MW (one year of paid energy ÷ H), so the strike above which it is cut
    is the grid's 100 (not 100·8,760: the first year's k would give 438,050)."""
    r = compare(load_problem(one_year_ppa()))
    firm = next(i for i in r.items if i.name == "firm")
    assert firm.value == approx(4_380_000.0)
    assert firm.capacity_mw_by_year == approx({"2027": 0.0, "2028": 10.0, "2029": 0.0})
    assert firm.breakeven_price_per_mwh == approx(100.0, abs=0.02)
    assert firm.breakeven_direction == "down"
    # one more MW contracted over its term: (100 − 50)·8,760 = 438,000 (at its max_mw)
    assert firm.marginal_value_per_mw_by_year == approx({"2028": 438_000.0})


def test_a_scenario_set_values_the_hedge_in_the_risk_objective() -> None:
    """tests/cases/test_risk.py's case at ω = 0.2, α = 0.5: with the PPA c = 10, both
    scenarios cost 650: objective 650, E = 650, CVaR = 650. Without it c = 0: costs
    {200, 1000}: E = 600, CVaR = 1000, objective 0.8·600 + 0.2·1000 = 680.
    value = 680 − 650 = 30; expected_cost_value = 600 − 650 = −50; cvar_value = 1000 − 650
    = 350 (0.8·(−50) + 0.2·350 = 30). Breakevens are not computed at ω > 0."""
    r = compare(load_problem(risk_case(0.2)))
    assert r.objective_kind == "risk"
    assert "ω = 0.2" in r.objective_text
    firm = next(i for i in r.items if i.name == "firm")
    assert firm.value == approx(30.0)
    assert firm.expected_cost_value == approx(-50.0)
    assert firm.cvar_value == approx(350.0)
    assert firm.breakeven_price_per_mwh is None
    assert firm.breakeven_method is not None and "ω > 0" in firm.breakeven_method
    index = next(i for i in r.items if i.name == "index")  # unused: the PPA serves the load
    assert index.value == approx(0.0, abs=1e-9) and not index.required
    assert index.energy_mwh == approx(0.0, abs=1e-9)


def test_a_risk_neutral_scenario_set_breakeven_uses_expected_energy() -> None:
    """ω = 0: E[C] = 600 + 5·c, so c = 0 and the PPA is worth 0; one more MW costs 5 more
    (marginal −5 per MW over the hour, ÷ H = −43,800 per MW-year). Its strike's slope is
    Σ_s p_s·1 MWh = 1, so more MW below 65 − 5 = 60."""
    r = compare(load_problem(risk_case(0.0)))
    firm = next(i for i in r.items if i.name == "firm")
    assert firm.value == approx(0.0, abs=1e-9)
    assert firm.marginal_value_per_mw_year == approx(-5.0 * HOURS)
    assert firm.breakeven_price_per_mwh == approx(60.0, abs=0.02)
    assert firm.breakeven_direction == "up"
    assert firm.cvar_value == approx(0.0, abs=1e-9)


def test_a_required_item_of_a_pathway_names_the_year_whose_goal_fails() -> None:
    """The pathway case with a 2028 CFE target of 1 and no clean grid: only pv is clean, so
    without it 2028's goal fails (the load itself is served by the grid). With the goals
    relaxed and no pv the objective is 19,272,000 against the base 10,512,000 (pv built in
    2028 anyway at 200/MWh): value_relaxed = 8,760,000."""
    sc = _pathway()
    sc["horizon"]["years"][1]["set"]["carbon.cfe_target"] = 1.0
    r = compare(load_problem(sc))
    pv = next(i for i in r.items if i.name == "pv")
    assert pv.required
    assert pv.relaxed_target is not None and pv.relaxed_target["cases"] == ["2028"]
    assert pv.value_relaxed == approx(8_760_000.0)
    assert "2028" in pv.verdict


def test_dcopt_compare_on_a_pathway_file(tmp_path: Path) -> None:
    """End to end through the CLI: compare.json carries the present-value objective and the
    pv row of the first test."""
    path = tmp_path / "pathway.yaml"
    path.write_text(yaml.safe_dump(_pathway()))
    res = runner.invoke(app, ["compare", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    d = json.loads((tmp_path / "o" / "compare.json").read_text())
    assert d["objective_kind"] == "present_value"
    pv = next(i for i in d["items"] if i["name"] == "pv")
    assert pv["value"] == approx(8_760_000.0)
    assert pv["built_mw_by_year"]["2028"] == approx(10.0)
    assert "present value" in res.output
    assert (tmp_path / "o" / "compare.csv").exists()


def test_a_grid_breakeven_on_a_pathway_follows_the_escalation() -> None:
    """Two years (2027, 2028), load 10, r = 0. utility at 100 flat; other at 130 with
    price_escalation_per_year −0.2: 130 in 2027 and 104 in 2028, dearer than utility in
    both, so unused. At a base price p it costs p in 2027 and 0.8·p in 2028: it is first
    used in 2028, below 0.8·p = 100, i.e. p = 125 (moving both years by the same amount,
    as the first year's slope alone would, gives 126)."""
    sc = scenario(
        [10],
        grid_offers=[
            {"name": "utility", "energy_price_per_mwh": 100},
            {"name": "other", "energy_price_per_mwh": 130, "price_escalation_per_year": -0.2},
        ],
        finance={"discount_rate": 0},
    )
    sc["horizon"] = {"years": [{"year": 2027}, {"year": 2028}]}
    r = compare(load_problem(sc))
    other = next(i for i in r.items if i.name == "other")
    assert not other.signed
    assert other.breakeven_direction == "up"
    assert other.breakeven_price_per_mwh == approx(125.0, abs=0.02)
    assert other.breakeven_bracket is not None
    lo, hi = other.breakeven_bracket
    assert hi <= 125.0 <= lo  # no change at lo (above 125), a change at hi (below)


def test_dcopt_compare_on_a_scenario_set_file(tmp_path: Path) -> None:
    """The ω = 0.2 case through the CLI: compare.csv carries the study columns."""
    import pandas as pd

    path = tmp_path / "risk.yaml"
    path.write_text(yaml.safe_dump(risk_case(0.2)))
    res = runner.invoke(app, ["compare", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(tmp_path / "o" / "compare.csv").set_index("name")
    assert df.loc["firm", "value"] == approx(30.0)
    assert df.loc["firm", "cvar_value"] == approx(350.0)
    assert df.loc["firm", "objective_kind"] == "risk"
    assert "CVaR" in res.output
