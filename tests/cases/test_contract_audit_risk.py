"""Contract audit of section 9 (scenarios and risk): refusals that must name the field.

The case is tests/cases/test_risk.py's ``risk_case`` (two scenarios, each 0.5). CONTRACT 9:
probabilities are > 0 and sum to 1 (±1e-9); bad input is refused naming the field (CLI exit
code 2, the message on stderr). With the second scenario at 0.4 the sum is 0.9: refused,
the message naming ``uncertainty.scenarios`` and their ``probability`` and giving the sum;
at 0.5 + 5e-10 the sum is 1 + 5e-10, inside the tolerance: accepted.

A scenario "may change only data, never the list of offers and assets": that holds for
demand-response programmes (12) and certificate offers (11) as for grid offers, PPAs and
technologies; a field inside one of them is data.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest import approx
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.errors import ScenarioError
from optimizer.scenario.study import load_study
from optimizer.solve import solve
from tests.cases.test_risk import risk_case
from tests.resilience.test_demand_response import INCOME_PER_MW, dr_day


def test_a_probability_sum_off_by_0_1_names_the_probability() -> None:
    sc = risk_case(0.1)
    sc["uncertainty"]["scenarios"][1]["probability"] = 0.4
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    (err,) = exc.value.errors
    assert err.field == "uncertainty.scenarios"
    assert "probability" in err.message
    assert "sum to 0.9" in err.message


def test_a_probability_sum_within_1e_9_is_accepted() -> None:
    sc = risk_case(0.1)
    sc["uncertainty"]["scenarios"][1]["probability"] = 0.5 + 5e-10
    study = load_study(sc)
    assert [c.probability for c in study.cases] == [0.5, 0.5 + 5e-10]


def test_the_cli_refuses_the_sum_with_exit_code_2(tmp_path: Path) -> None:
    sc = risk_case(0.1)
    sc["uncertainty"]["scenarios"][1]["probability"] = 0.4
    path = tmp_path / "risk.yaml"
    path.write_text(yaml.safe_dump(sc))
    r = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert "uncertainty.scenarios" in r.output and "probability" in r.output
    assert "Traceback" not in r.output


# -- a scenario may change data only, never the list of offers (CONTRACT 9, 11, 12) ------


def _with_set(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    sc = copy.deepcopy(base)
    sc["uncertainty"] = {
        "scenarios": [
            {"name": "a", "probability": 0.5},
            {"name": "b", "probability": 0.5, "set": change},
        ]
    }
    return sc


def test_a_scenario_adding_a_demand_response_programme_is_refused() -> None:
    """Adding a programme in one scenario once crashed with KeyError 'dr' (its committed
    MW is first stage: every scenario must have the same programmes)."""
    prog = {
        "name": "dr",
        "capacity_payment_per_mw_year": 60000,
        "max_mw": 5,
        "events": [{"start": "2027-01-04T16:00", "hours": 2}],
    }
    sc = _with_set(dr_day(500), {"demand_response": [dict(prog, name="dr2")]})
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert [e.field for e in exc.value.errors] == ["uncertainty.scenarios[b].set.demand_response"]


def test_a_scenario_dropping_a_certificate_offer_is_refused() -> None:
    sc = risk_case(0.0)
    sc["certificate_offers"] = [{"name": "go", "price_per_mwh": 1, "matching": "annual"}]
    sc["uncertainty"]["scenarios"][1]["set"]["certificate_offers"] = []
    with pytest.raises(ScenarioError) as exc:
        load_study(sc)
    assert [e.field for e in exc.value.errors] == [
        "uncertainty.scenarios[high].set.certificate_offers"
    ]


def test_a_scenario_may_change_a_programmes_payment() -> None:
    """tests/resilience/test_demand_response.py's day: d = 2 MW from flexibility, each MW
    more would be shed for 2 h at 500 (net 900 per MW). Scenario b pays 120000 per MW-year
    (income 120000·24/8760 = 328.77 per MW over the day, still < 900): d = 2 in both.
    Expected income 2·(0.5·164.38 + 0.5·328.77) = 493.15; objective 240·50 − 493.15 =
    11506.85."""
    sc = _with_set(dr_day(500), {"demand_response[dr].capacity_payment_per_mw_year": 120000})
    s = solve(sc).summary
    assert s["capacity_mw"]["dr"] == approx(2.0)
    assert s["objective"] == approx(12000 - 2 * (0.5 * INCOME_PER_MW + 0.5 * 2 * INCOME_PER_MW))
