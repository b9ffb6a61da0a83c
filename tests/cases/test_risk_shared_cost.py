"""The CVaR rows without the cost every scenario shares (optimizer/model/risk.py).

CVaR is translation invariant: with ``C_s = K + E_s`` (``K`` the terms on the same column
with the same coefficient in every scenario), ``θ = K + θ'`` gives the same optimum with the
rows ``a_s ≥ E_s − θ'`` and ``ω·K`` in the objective. These tests check the rows and that
the answers (objective, capacities, scenario costs, risk numbers, shadow prices) are those
of the rows with the whole ``C_s``.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest import approx

from optimizer.model import build_model, risk
from optimizer.scenario.study import load_study
from optimizer.solve import solve
from tests.cases.test_risk import risk_case


def _row_columns(built: Any, name: str) -> set[str]:
    row = getattr(built.model.risk, name)
    return {v.name for v in row.body.linear_vars}


def test_excess_rows_leave_out_the_shared_ppa_cost() -> None:
    """risk_case at ω = 0.2, α = 0.5 (tests/cases/test_risk.py): C_low = 65·c + 20·m_low,
    C_high = 65·c + 100·m_high (m the imports, c the PPA MW). K = 65·c (same column, same
    coefficient in both), so the rows hold a_s, θ' and the scenario's import only.

    The optimum is c = 10, both costs 650 (test_risk): E_s = 0 in both, and θ' minimises
    θ' + (0.5·(−θ')⁺ + 0.5·(−θ')⁺)/0.5 = θ' + 2·(−θ')⁺, i.e. θ' = 0 (θ = K + θ' = 650, the
    VaR); a_s = 0; objective 0.8·650 + 0.2·(650 + 0) = 650."""
    built = build_model(load_study(risk_case(0.2)))
    for k in (0, 1):
        cols = _row_columns(built, f"excess_row_{k}")
        assert not any("ppa" in c for c in cols), cols
        assert len(cols) == 3  # a_s, θ', the case's import
    r = solve(risk_case(0.2))
    s = r.summary
    assert s["objective"] == approx(650.0)
    assert s["capacity_mw"]["firm"] == approx(10.0)
    assert s["risk"]["var_cost"] == approx(650.0)
    assert s["risk"]["cvar_cost"] == approx(650.0)
    b = r.built.builder
    assert r.lp.values([b.risk_rows["var"]])[0] == approx(0.0, abs=1e-6)
    for k in ("excess:low", "excess:high"):
        assert r.lp.values([b.risk_rows[k]])[0] == approx(0.0, abs=1e-6)


def _cfe_risk_case(omega: float) -> dict[str, Any]:
    """test_risk's CFE case (grid clean share 0.8 or 0.2, clean PPA at 100, target 0.5 in
    every scenario) under CVaR, with the dirty grid's price at 70 so that the scenario
    costs differ."""
    from tests.cases.test_risk import _cfe_case

    sc = _cfe_case("every_scenario")
    sc["uncertainty"]["scenarios"][1]["set"]["grid_offers[utility].energy_price_per_mwh"] = 70
    sc["uncertainty"]["risk"] = {"alpha": 0.5, "weight": omega}
    return sc


@pytest.mark.parametrize("omega", [0.1, 0.5, 0.9])
def test_same_answer_with_and_without_the_shared_cost(
    omega: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each case once with K taken out and once with the whole C_s in the rows
    (``shared_cost`` patched to find nothing): the same objective, capacity, scenario
    costs, VaR/CVaR and CFE shadow prices.

    By hand (one hour, load 10, c MW of the clean PPA at 100, target 0.5 binding in the
    dirty scenario: 0.8·(10 − c) ≤ 5 → c ≥ 3.75): C_clean = 100c + 50·(10 − c) = 500 + 50c,
    C_dirty = 100c + 70·(10 − c) = 700 + 30c; both increase in c, so c = 3.75 at every ω:
    C_clean = 687.5, C_dirty = 812.5; at α = 0.5 CVaR is the larger, 812.5; expected
    750; objective (1−ω)·750 + ω·812.5. The dirty scenario's CFE price: one MW less of
    the PPA saves (1−ω)·(0.5·50 + 0.5·30) + ω·30 = 40 − 10ω and needs 0.8 MWh more
    dirty allowance, per unit of the scenario's probability 0.5: (40 − 10ω)/0.8/0.5."""
    sc = _cfe_risk_case(omega)
    with_k = solve(sc)
    monkeypatch.setattr(risk, "shared_cost", lambda costs: {})
    without = solve(sc)
    built = without.built
    assert any("ppa" in c for c in _row_columns(built, "excess_row_0"))
    a, b = with_k.summary, without.summary
    expected = (1 - omega) * 750.0 + omega * 812.5
    assert a["objective"] == approx(expected)
    assert b["objective"] == approx(expected)
    assert a["capacity_mw"]["clean"] == approx(3.75)
    assert b["capacity_mw"]["clean"] == approx(3.75)
    for key in ("expected_cost", "cvar_cost", "var_cost", "worst_cost"):
        assert a["risk"][key] == approx(b["risk"][key])
    assert a["risk"]["cvar_cost"] == approx(812.5)
    for name in ("clean-grid", "dirty-grid"):
        sa, sb = a["scenarios"][name], b["scenarios"][name]
        assert sa["total_cost"] == approx(sb["total_cost"])
        pa, pb = sa["shadow_prices"]["cfe_per_mwh"], sb["shadow_prices"]["cfe_per_mwh"]
        assert (pa is None) == (pb is None)
        if pa is not None:
            assert pa == approx(pb, rel=1e-6, abs=1e-6)
    dirty = a["scenarios"]["dirty-grid"]["shadow_prices"]["cfe_per_mwh"]
    assert dirty == approx((40.0 - 10.0 * omega) / 0.8 / 0.5)
    assert a["scenarios"]["clean-grid"]["total_cost"] == approx(687.5)
    assert a["scenarios"]["dirty-grid"]["total_cost"] == approx(812.5)
