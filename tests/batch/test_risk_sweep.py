"""A batch sweeping the risk weight ω and the CVaR level α of a scenario set (CONTRACT 9;
docs/batch.md, "Sweeping risk").

The base is tests/cases/test_risk.py's hand-solved case: one hour, load 10 MW, an index
offer at spot + 0, a baseload PPA at 65/MWh (0..10 MW), two equiprobable spot prices 20 and
100. With c MW of PPA the costs are C_low = 200 + 45·c, C_high = 1000 − 35·c, so
E = 600 + 5·c. CVaR_0 of any distribution is its mean; CVaR_0.5 of two equiprobable costs
is the larger, C_high. VaR_α is the α-quantile of the costs (the smaller, 200, below
α = 0.5 included, when c = 0).

    ω    α     objective                   c    E     CVaR   VaR
    0.1  0     E = 600 + 5c → 600          0    600   600    200
    0.1  0.5   0.9·E + 0.1·C_high → 640    0    600   1000   200
    0.2  0     E → 600                     0    600   600    200
    0.2  0.5   slope 5 − 40·0.2 < 0 → 650  10   650   650    650
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from pytest import approx

from optimizer.batch import run_batch
from optimizer.errors import ScenarioError
from tests.cases.test_risk import risk_case


def _base(folder: Path, with_uncertainty: bool = True) -> None:
    sc = risk_case(0.0)
    if not with_uncertainty:
        del sc["uncertainty"]
    (folder / "base.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")


def _sweep(folder: Path, body: str) -> Path:
    path = folder / "sweep.yaml"
    path.write_text("base: base.yaml\n" + body, encoding="utf-8")
    return path


def test_sweeping_omega_and_alpha_reports_expected_cost_cvar_and_var(tmp_path: Path) -> None:
    _base(tmp_path)
    sweep = _sweep(
        tmp_path, "product:\n  uncertainty.risk.weight: [0.1, 0.2]\n  risk.alpha: [0, 0.5]\n"
    )
    frame = run_batch(sweep, tmp_path / "out", workers=1)
    assert list(frame["status"]) == ["optimal"] * 4
    assert list(frame["uncertainty.risk.weight"]) == [0.1, 0.1, 0.2, 0.2]
    assert list(frame["uncertainty.risk.alpha"]) == [0.0, 0.5, 0.0, 0.5]
    assert list(frame["objective"]) == approx([600.0, 640.0, 600.0, 650.0])
    assert list(frame["expected_cost"]) == approx([600.0, 600.0, 600.0, 650.0])
    assert list(frame["cvar_cost"]) == approx([600.0, 1000.0, 600.0, 650.0])
    assert list(frame["var_cost"]) == approx([200.0, 200.0, 200.0, 650.0])
    assert list(frame["worst_cost"]) == approx([1000.0, 1000.0, 1000.0, 650.0])
    assert list(frame["capacity_mw.firm"]) == approx([0.0, 0.0, 0.0, 10.0], abs=1e-7)
    text = (tmp_path / "out" / "summary.txt").read_text(encoding="utf-8")
    assert (
        "scenario sets: expected cost USD 600 to 650, CVaR USD 600 to 1,000; lowest risk "
        "objective USD 600 — case-0001" in text
    ), text
    stored = pd.read_parquet(tmp_path / "out" / "results.parquet")
    assert list(stored["cvar_cost"]) == approx([600.0, 1000.0, 600.0, 650.0])


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            "product:\n  risk.weight: [0.5, 1.5]\n",
            "cases[case-0002].uncertainty.risk.weight",
            "less than or equal to 1",
        ),
        (
            "product:\n  uncertainty.risk.alpha: [0.9, 1]\n",
            "cases[case-0002].uncertainty.risk.alpha",
            "less than 1",
        ),
        (
            "product:\n  risk.weight: [0.5]\n  uncertainty.risk.weight: [0.5]\n",
            "sweep.risk.weight",
            "give it once",
        ),
    ],
)
def test_out_of_range_risk_values_name_the_case_and_key(
    tmp_path: Path, body: str, field: str, words: str
) -> None:
    _base(tmp_path)
    with pytest.raises(ScenarioError) as exc:
        run_batch(_sweep(tmp_path, body), tmp_path / "out", workers=1)
    assert any(e.field == field and words in e.message for e in exc.value.errors), exc.value
    assert not (tmp_path / "out" / "cases").exists()


def test_sweeping_omega_without_a_scenario_set_is_refused(tmp_path: Path) -> None:
    _base(tmp_path, with_uncertainty=False)
    with pytest.raises(ScenarioError) as exc:
        run_batch(_sweep(tmp_path, "product:\n  risk.weight: [0.1, 0.2]\n"), tmp_path / "o")
    (err,) = exc.value.errors
    assert err.field == "sweep.uncertainty.risk.weight"
    assert "no uncertainty.scenarios" in err.message


def test_a_plain_sweep_has_no_risk_columns(tmp_path: Path) -> None:
    """Without scenario sets the table keeps its columns (docs/batch.md)."""
    _base(tmp_path, with_uncertainty=False)
    frame = run_batch(
        _sweep(tmp_path, "product:\n  ppa_offers[firm].price_per_mwh: [65]\n"),
        tmp_path / "out",
        workers=1,
    )
    assert "cvar_cost" not in frame.columns
    assert frame["objective"][0] == approx(65.0 * 0 + 20 * 10)  # spot 20: index only, c = 0


def test_a_sweep_of_pathways_reports_the_present_value(tmp_path: Path) -> None:
    """tests/decisions/test_compare_study.py's pathway (grid 20 in 2027, 200 in 2028; pv at
    100/MWh-equivalent) with the 2028 price swept: at 200 pv is built in 2028, PV =
    1,752,000 + 8,760,000 = 10,512,000; at 50 it is not, PV = (20 + 50)·10·8,760 =
    6,132,000. Levelised: PV ÷ served energy 2·87,600 MWh: 60 and 35."""
    from tests.decisions.test_compare_study import _pathway

    (tmp_path / "base.yaml").write_text(yaml.safe_dump(_pathway()), encoding="utf-8")
    price = "grid_offers[utility].energy_price_per_mwh"
    body = yaml.safe_dump({"product": {"horizon.years[1].set": [{price: 200}, {price: 50}]}})
    frame = run_batch(_sweep(tmp_path, body), tmp_path / "out", workers=1)
    assert list(frame["status"]) == ["optimal", "optimal"]
    assert list(frame["objective"]) == approx([10_512_000.0, 6_132_000.0])
    assert list(frame["levelised_cost_per_mwh"]) == approx([60.0, 35.0])
    assert "cvar_cost" not in frame.columns
