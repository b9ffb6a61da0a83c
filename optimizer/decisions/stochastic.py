"""What the stochastic answer is worth (CONTRACT section 9; docs/risk.md).

For a study of scenarios with objective ``F(C_1..C_S) = (1−ω)·Σ p_s·C_s + ω·CVaR_α(C)``:

- **RP** (recourse problem): the stochastic optimum, ``min_x F(C(x))``.
- **EV**: the expected-value problem, one deterministic case whose every input series is
  the probability-weighted mean of the scenarios'; its first-stage decisions x̄.
- **EEV**: the stochastic objective with the first stage fixed at x̄ (each scenario then
  dispatches as well as it can): ``F(C(x̄))``.
- **VSS** = EEV − RP ≥ 0: what planning on the average costs.
- **WS** (wait and see): each scenario solved alone with perfect foresight, costs C*_s,
  combined by the same F; **EVPI** = RP − WS ≥ 0 (F is monotone, so WS ≤ RP).

``hedge_values``: for every PPA offer and technology, expected cost and CVaR_α with it
minus without it (its columns fixed at zero in every scenario): a negative ``cvar_change``
means the item lowers the worst-case cost — what it is worth as a hedge.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import numpy as np

from optimizer.errors import SolverError
from optimizer.model import build_model
from optimizer.model.highs import HighsLp
from optimizer.options import SolveOptions, choose_settings
from optimizer.results import extract
from optimizer.results.cases import distribution
from optimizer.scenario.cases import Study
from optimizer.scenario.resolve import Problem

log = logging.getLogger(__name__)


def risk_functional(costs: np.ndarray, probs: np.ndarray, alpha: float, omega: float) -> float:
    d = distribution(costs, probs, alpha)
    return (1.0 - omega) * d["expected_cost"] + omega * d["cvar_cost"]


def _mean(values: list[Any], probs: list[float]) -> Any:
    """The probability-weighted mean of the same field in every case (arrays and floats);
    anything else (names, kinds, the time grid) is the first case's."""
    first = values[0]
    if isinstance(first, np.ndarray) and first.dtype.kind == "f":
        return sum(p * np.asarray(v, dtype=float) for p, v in zip(probs, values, strict=True))
    if isinstance(first, float) and not isinstance(first, bool):
        return float(sum(p * float(v) for p, v in zip(probs, values, strict=True)))
    if isinstance(first, list) and all(isinstance(v, list) for v in values):
        return [_mean(list(col), probs) for col in zip(*values, strict=True)]
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        changes = {
            f.name: _mean([getattr(v, f.name) for v in values], probs)
            for f in dataclasses.fields(first)
            if f.init and f.name not in ("scenario", "time", "study", "materials")
        }
        return dataclasses.replace(first, **changes)
    return first


def expected_value_problem(study: Study) -> Problem:
    probs = [c.weight for c in study.cases]
    problem: Problem = _mean([c.problem for c in study.cases], probs)
    problem.study = None
    return problem


def _solve_lp(study_or_problem: Study | Problem, options: SolveOptions) -> tuple[Any, HighsLp]:
    built = build_model(study_or_problem)
    lp = HighsLp(built.model)
    cases = built.builder.cases
    status = lp.solve(choose_settings(options, sum(c.T for c in cases)))
    if status != "optimal":
        raise SolverError(f"a stochastic-value solve ended {status}")
    return built, lp


def stochastic_values(study: Study, options: SolveOptions | None = None) -> dict[str, float]:
    """RP, EV, EEV, WS, VSS and EVPI of a study of scenarios (extra solves: 1 + 1 + S)."""
    if study.kind != "scenarios":
        raise ValueError("the value of the stochastic solution needs uncertainty.scenarios")
    options = options or SolveOptions()
    probs = np.array([c.weight for c in study.cases])
    alpha, omega = study.risk.alpha, study.risk.weight

    built, lp = _solve_lp(study, options)
    rp = lp.objective

    ev_built, ev_lp = _solve_lp(expected_value_problem(study), options)
    xbar = {k: float(ev_lp.values([fs.var])[0]) for k, fs in ev_built.builder.first_stage.items()}
    ev = ev_lp.objective

    for key, fs in built.builder.first_stage.items():
        v = xbar[key]
        lp.set_col_bounds_each([fs.var], np.array([v]), np.array([v]))
    status = lp.solve(choose_settings(options, sum(c.T for c in built.builder.cases)))
    if status != "optimal":
        eev = float("inf")  # the average plan cannot serve some scenario
        log.info("the expected-value plan is infeasible in some scenario: VSS is unbounded")
    else:
        eev = lp.objective

    ws_costs = []
    for case in study.cases:
        _, one = _solve_lp(Study.single(case.problem), options)
        ws_costs.append(one.objective)
    ws = risk_functional(np.array(ws_costs), probs, alpha, omega)
    return {
        "rp": rp,
        "ev": ev,
        "eev": eev,
        "ws": ws,
        "vss": eev - rp,
        "evpi": rp - ws,
    }


def hedge_values(study: Study, options: SolveOptions | None = None) -> dict[str, dict[str, Any]]:
    """Each PPA offer's and technology's hedge: expected cost and CVaR with it minus
    without it (negative: the item lowers them), and whether the study is feasible without
    it (``required``)."""
    if study.kind != "scenarios":
        raise ValueError("hedge values need uncertainty.scenarios")
    options = options or SolveOptions()
    built, lp = _solve_lp(study, options)
    base, _ = extract(built, lp)
    settings = choose_settings(options, sum(c.T for c in built.builder.cases))
    out: dict[str, dict[str, Any]] = {}
    for item in built.builder.items:
        if item.section == "grid_offer":
            continue
        lo, hi = lp.col_bounds(item.columns)
        lp.set_col_bounds(item.columns, 0.0, 0.0)
        try:
            status = lp.solve(settings)
            if status == "optimal":
                without, _ = extract(built, lp)
                out[item.name] = {
                    "section": item.section,
                    "expected_cost_change": base["risk"]["expected_cost"]
                    - without["risk"]["expected_cost"],
                    "cvar_change": base["risk"]["cvar_cost"] - without["risk"]["cvar_cost"],
                    "objective_change": base["objective"] - without["objective"],
                    "required": False,
                }
            else:
                out[item.name] = {"section": item.section, "required": True}
        finally:
            lp.set_col_bounds_each(item.columns, lo, hi)
    for name, h in out.items():
        h["chosen_mw"] = base["capacity_mw"].get(name)
    return out


def risk_frontier(
    study: Study, weights: list[float], options: SolveOptions | None = None
) -> list[dict[str, Any]]:
    """Expected cost against CVaR_α for each risk weight ω (``dcopt frontier
    --risk-weight``): one solve per ω, the study's α and scenarios."""
    if study.kind != "scenarios":
        raise ValueError("a risk frontier needs uncertainty.scenarios")
    from optimizer.scenario.cases import Risk

    options = options or SolveOptions()
    points: list[dict[str, Any]] = []
    for omega in weights:
        if not 0.0 <= omega <= 1.0:
            raise ValueError(f"risk weight {omega} is outside [0, 1]")
        one = dataclasses.replace(study, risk=Risk(alpha=study.risk.alpha, weight=omega))
        built = build_model(one)
        lp = HighsLp(built.model)
        status = lp.solve(choose_settings(options, sum(c.T for c in built.builder.cases)))
        point: dict[str, Any] = {"risk_weight": omega, "alpha": study.risk.alpha, "status": status}
        if status == "optimal":
            s, _ = extract(built, lp)
            point.update(
                objective=s["objective"],
                expected_cost=s["risk"]["expected_cost"],
                cvar_cost=s["risk"]["cvar_cost"],
                var_cost=s["risk"]["var_cost"],
                worst_cost=s["risk"]["worst_cost"],
                capacity_mw=s["capacity_mw"],
            )
        points.append(point)
    return points
