"""Contract audit of section 9 (scenarios and risk): refusals that must name the field.

The case is tests/cases/test_risk.py's ``risk_case`` (two scenarios, each 0.5). CONTRACT 9:
probabilities are > 0 and sum to 1 (±1e-9); bad input is refused naming the field (CLI exit
code 2, the message on stderr). With the second scenario at 0.4 the sum is 0.9: refused,
the message naming ``uncertainty.scenarios`` and their ``probability`` and giving the sum;
at 0.5 + 5e-10 the sum is 1 + 5e-10, inside the tolerance: accepted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.errors import ScenarioError
from optimizer.scenario.study import load_study
from tests.cases.test_risk import risk_case


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
