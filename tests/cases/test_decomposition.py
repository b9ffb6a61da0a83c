"""Scenario decomposition (multi-cut Benders) against the deterministic equivalent."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from pytest import approx

from optimizer.decisions.decomposition import (
    GOAL_PENALTY,
    solve_decomposed,
    solve_deterministic,
)
from optimizer.options import SolveOptions
from optimizer.scenario.study import load_study
from tests.cases.test_risk import risk_case

WEEK = Path(__file__).resolve().parents[1] / "acceptance" / "week-contracts"


def week_three(omega: float) -> dict[str, Any]:
    """week-contracts with three spot scenarios (the base column, 40 and 120 flat)."""
    raw: dict[str, Any] = yaml.safe_load((WEEK / "scenario.yaml").read_text())
    raw["uncertainty"] = {
        "scenarios": [
            {"name": "base", "probability": 0.3},
            {"name": "low", "probability": 0.4, "set": {"grid.spot_price_per_mwh": 40}},
            {"name": "high", "probability": 0.3, "set": {"grid.spot_price_per_mwh": 120}},
        ],
        "risk": {"alpha": 0.8, "weight": omega},
    }
    return raw


def assert_equals_de(r: dict[str, Any], de: dict[str, Any]) -> None:
    """The decomposition's objective, first stage and scenario costs are the DE's to 1e-5
    (relative; first-stage values also to 1e-4 absolute, for those at zero)."""
    assert r["objective"] == approx(de["objective"], rel=1e-5)
    for k, v in de["first_stage"].items():
        assert r["first_stage"][k] == approx(v, rel=1e-5, abs=1e-4)
    for k, v in de["scenario_costs"].items():
        assert r["scenario_costs"][k] == approx(v, rel=1e-5)


@pytest.mark.parametrize(("omega", "objective", "c"), [(0.1, 640.0, 0.0), (0.2, 650.0, 10.0)])
def test_hand_solved_risk_case(omega: float, objective: float, c: float) -> None:
    """tests/cases/test_risk.py: ω = 0.1 < 1/8 → c = 0, 0.9·600 + 0.1·1000 = 640;
    ω = 0.2 → c = 10, both scenarios cost 650. Scenario costs 200 + 45c and 1000 − 35c."""
    r = solve_decomposed(load_study(risk_case(omega)), workers=0)
    assert r["method"] == "decomposition"
    assert r["objective"] == approx(objective, rel=1e-6)
    assert r["first_stage"]["firm"] == approx(c, abs=1e-6)
    assert r["scenario_costs"]["low"] == approx(200 + 45 * c, rel=1e-6)
    assert r["scenario_costs"]["high"] == approx(1000 - 35 * c, rel=1e-6)


@pytest.mark.parametrize(
    ("omega", "in_out", "penalty"),
    [
        (0.0, 0.5, GOAL_PENALTY),
        (0.5, 0.5, GOAL_PENALTY),
        (0.5, 1.0, GOAL_PENALTY),
        (0.5, 1.0, None),
    ],
)
def test_week_contracts_equals_the_deterministic_equivalent(
    omega: float, in_out: float, penalty: float | None
) -> None:
    """Three spot scenarios of week-contracts on two worker processes: the objective, the
    first stage and each scenario's cost equal the DE's to 1e-5 (relative). Without the
    in-out stabilisation (``in_out=1``: cuts at the master's points) and with hard goal
    rows (``goal_penalty=None``) the CFE target of every scenario makes early master points
    infeasible, so feasibility cuts run; with the elastic rows every point is served (an
    optimality cut each) and the penalty is exact at the answer."""
    study = load_study(week_three(omega), base_dir=WEEK)
    de = solve_deterministic(study, SolveOptions(), "reference")
    r = solve_decomposed(study, workers=2, in_out=in_out, goal_penalty=penalty)
    assert r["method"] == "decomposition"
    assert r["workers"] == 2
    assert_equals_de(r, de)
    assert r["converged"] is True
    # the master's vertex may replace the incumbent within one more tolerance
    assert r["gap"] <= 2e-7 * abs(r["objective"])
    if penalty is None:
        assert r["feasibility_cuts"] > 0
    else:
        assert r["feasibility_cuts"] == 0
        assert r["goal_penalty"] == penalty


def test_an_iteration_limit_is_reported_as_not_converged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stopped after one iteration, week-contracts' three scenarios are not converged: the
    result says so, keeps a gap above the tolerance and logs a warning naming it; the
    answer it gives is a feasible first stage whose objective is an upper bound on the DE's."""
    study = load_study(week_three(0.5), base_dir=WEEK)
    de = solve_deterministic(study, SolveOptions(), "reference")
    with caplog.at_level(logging.WARNING, logger="optimizer.decisions.decomposition"):
        r = solve_decomposed(study, workers=0, max_iterations=1)
    assert r["method"] == "decomposition"
    assert r["converged"] is False
    assert r["iterations"] == 1
    assert r["gap"] > 1e-7 * abs(r["objective"])
    assert r["objective"] >= de["objective"] * (1 - 1e-9)
    assert r["lower"] <= de["objective"] * (1 + 1e-9)
    assert any("stopped after 1 iterations" in m for m in caplog.messages)


def test_goals_in_expectation_are_not_decomposed() -> None:
    """Goals in expectation couple the scenarios: the DE is solved (650 again, ω = 0.2)."""
    study = load_study(risk_case(0.2, targets_apply="expectation"))
    r = solve_decomposed(study, workers=0)
    assert r["method"] == "deterministic_equivalent"
    assert r["objective"] == approx(650.0)


def test_dask_actors_equal_the_local_pool() -> None:
    """The subproblems as Dask actors on a two-worker ``LocalCluster`` (worker processes):
    the same iterations as the local pool, hence the same objective, first stage and
    scenario costs as the deterministic equivalent (ω = 0.5, three scenarios)."""
    import distributed

    study = load_study(week_three(0.5), base_dir=WEEK)
    de = solve_deterministic(study, SolveOptions(), "reference")
    local = solve_decomposed(study, workers=2)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_port=0,
    ) as cluster:
        r = solve_decomposed(study, workers=0, scheduler=cluster.scheduler_address)
    assert r["method"] == "decomposition"
    assert (r["executor"], r["workers"]) == ("dask", 2)
    assert (local["executor"], local["workers"]) == ("local", 2)
    assert r["iterations"] == local["iterations"]
    assert_equals_de(r, de)


def test_a_screened_scenario_set_decomposes_to_its_deterministic_equivalent() -> None:
    """week-contracts' three spot scenarios on typical days (1 a month: its 7 days become
    4 — the peak-load and least-supply days kept, the others clustered — each case on the
    same calendar days, each day's storage cyclic): the decomposition over the screened cases,
    built with the screening's storage periods, equals the DE of the same screened study
    (the one ``dcopt run --screening`` solves) to 1e-5."""
    from optimizer.scenario import load_problem
    from optimizer.screening import screened_study

    full = load_problem(week_three(0.5), base_dir=WEEK)
    target, reduced, days, build = screened_study(full, days_per_month=1)
    assert days.days == 4 and reduced.periods == 96
    de = solve_deterministic(target, SolveOptions(), "reference", build)
    r = solve_decomposed(target, workers=0, build_options=build)
    assert r["method"] == "decomposition"
    assert r["objective"] == approx(de["objective"], rel=1e-5)
    for name, cost in de["scenario_costs"].items():
        assert r["scenario_costs"][name] == approx(cost, rel=1e-5)
    # and not the LP of the full week: the storage periods are the typical days'
    full_de = solve_deterministic(load_study(week_three(0.5), base_dir=WEEK), SolveOptions(), "")
    assert abs(full_de["objective"] - de["objective"]) > 1e-6 * abs(de["objective"])


def test_every_case_gives_the_master_its_first_stage_rows() -> None:
    """week-contracts' battery has a duration range (E ≥ 1·P, E ≤ max·P): two rows on
    first-stage columns only, which the master must hold for every case. They are found by
    the columns' Pyomo names, which go through the model's weak references: the group keeps
    each case's model, so a garbage collection after the build loses none (before, the
    first case of a group lost them when its model was collected, and the master relied on
    feasibility cuts instead)."""
    import gc

    from optimizer.decisions.decomposition import _Group

    study = load_study(week_three(0.5), base_dir=WEEK)
    group = _Group([(k, c.problem) for k, c in enumerate(study.cases)], SolveOptions())
    gc.collect()
    subs = group.describe()["subs"]
    assert sorted(subs) == [0, 1, 2]
    for d in subs.values():
        assert len(d["rows"]) == 2
        assert {c for row in d["rows"] for c in row[0]} == {
            "battery_capacity.power[0]",
            "battery_capacity.energy[0]",
        }


@pytest.mark.parametrize(
    ("penalty", "method"),
    [(GOAL_PENALTY, "decomposition"), (5.1, "decomposition"), (4.9, "deterministic_equivalent")],
)
def test_an_elastic_goal_row_is_exact_above_its_shadow_price(penalty: float, method: str) -> None:
    """The hand-solved risk case (one 10 MW step, c MW of the firm PPA at 65, spot 20 or
    100 with probability ½ each, no grid CFE) with ``cfe_target`` 0.5 and ω = 0: each
    scenario needs c ≥ 5 (dirty 10 − c ≤ 5 MWh). E[C] = ½(200 + 45c) + ½(1000 − 35c) =
    600 + 5c, so c = 5, objective 625, costs 425 and 825, and the CFE row's shadow price
    in E[C] is 5 per MWh. In the subproblems the row is elastic: a shortfall σ = 5 − c at
    P per MWh, so E = 600 + 5c + P·(5 − c) for c < 5, slope 5 − P. Above P = 5 (5.1, the
    default 1e4) the penalty is exact and the decomposition answers c = 5; below (4.9) its
    answer is c = 0 with a 5 MWh shortfall (all of the row's bound of 5), which the check
    refuses: the DE is solved and gives the same 625."""
    sc = risk_case(0.0)
    sc["carbon"] = {**sc.get("carbon", {}), "cfe_target": 0.5}
    r = solve_decomposed(load_study(sc), workers=0, goal_penalty=penalty)
    assert r["method"] == method
    assert r["objective"] == approx(625.0, rel=1e-9)
    assert r["first_stage"]["firm"] == approx(5.0, abs=1e-7)
    assert r["scenario_costs"] == approx({"low": 425.0, "high": 825.0}, rel=1e-9)
    if method == "deterministic_equivalent":
        assert "penalty (4.9 per MWh or tCO2) was not exact" in r["reason"]
        assert "shortfall of 1 of its bound" in r["reason"]
    else:
        assert r["feasibility_cuts"] == 0


def test_screening_a_scenario_set_by_decomposition_gives_the_de_summary() -> None:
    """``solve_screening(..., decompose=True)`` on week-contracts' three screened spot
    scenarios (ω = 0.5): the summary assembled from each scenario's own numbers at the
    decomposition's answer (:func:`optimizer.results.cases.scenario_set_summary`) has the
    DE's objective, expected cost, risk block, capacities and per-scenario costs, CFE
    scores and emissions to 1e-6; ``solver`` names the method. Left to itself (``None``)
    the screening solves these 3 × 96 steps as one DE: under the interior-point boundary
    (2,000 steps) the DE is the faster."""
    from optimizer.scenario import load_problem
    from optimizer.screening import solve_screening

    full = load_problem(week_three(0.5), base_dir=WEEK)
    dec = solve_screening(full, days_per_month=1, decompose=True).summary
    de = solve_screening(full, days_per_month=1, decompose=False).summary
    auto = solve_screening(full, days_per_month=1).summary
    assert dec["solver"]["method"] == "scenario decomposition (multi-cut Benders)"
    assert dec["solver"]["feasibility_cuts"] == 0
    assert "method" not in de["solver"] and "method" not in auto["solver"]
    assert auto["objective"] == approx(de["objective"], rel=1e-9)
    for key in ("objective", "total_cost", "cfe_score", "served_load_mwh"):
        assert dec[key] == approx(de[key], rel=1e-6), key
    for key in ("expected_cost", "cvar_cost", "var_cost", "worst_cost", "p50_cost"):
        assert dec["risk"][key] == approx(de["risk"][key], rel=1e-6), key
    assert dec["capacity_mw"] == approx(de["capacity_mw"], rel=1e-5, abs=1e-4)
    assert dec["screening"] == de["screening"]
    for name, s in de["scenarios"].items():
        got = dec["scenarios"][name]
        assert got["probability"] == s["probability"]
        for key in ("objective", "total_cost", "cfe_score"):
            assert got[key] == approx(s[key], rel=1e-6), (name, key)
        assert got["emissions_tco2"] == approx(s["emissions_tco2"], rel=1e-6)


def _screen_in_daemon(queue: Any) -> None:
    from optimizer.scenario import load_problem
    from optimizer.screening import solve_screening

    full = load_problem(week_three(0.5), base_dir=WEEK)
    s = solve_screening(full, days_per_month=1, decompose=True).summary
    queue.put((s["solver"]["method"], s["solver"]["workers"], s["objective"]))


def test_screening_decomposes_in_process_inside_a_daemonic_process() -> None:
    """A daemonic process (a pool's or a Dask worker) may not start children, so a
    screening's decomposition there runs its subproblems in that process (``workers`` 0),
    to the same objective as the DE of the same screened study."""
    import multiprocessing

    from optimizer.scenario import load_problem
    from optimizer.screening import solve_screening

    full = load_problem(week_three(0.5), base_dir=WEEK)
    de = solve_screening(full, days_per_month=1, decompose=False).summary["objective"]
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_screen_in_daemon, args=(queue,), daemon=True)
    proc.start()
    method, workers, objective = queue.get(timeout=120)
    proc.join(timeout=30)
    assert method == "scenario decomposition (multi-cut Benders)"
    assert workers == 0
    assert objective == approx(de, rel=1e-6)


def test_shares_are_runs_of_consecutive_scenarios() -> None:
    """Each worker holds neighbouring scenarios (each re-solves from the basis of the one
    before it): 10 cases on 2 workers are 0–4 and 5–9; 5 on 3 are sizes 2, 2, 1; more
    workers than cases give one case each; no case, no share."""
    from optimizer.decisions.decomposition import blocks

    assert blocks(list(range(10)), 2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert blocks(list(range(5)), 3) == [[0, 1], [2, 3], [4]]
    assert blocks(list(range(3)), 5) == [[0], [1], [2]]
    assert blocks(list(range(4)), 0) == [[0, 1, 2, 3]]
    assert blocks([], 2) == []


def test_the_chain_is_cut_where_neighbours_differ_most() -> None:
    """split_chain cuts a chain of cases into runs minimising the largest run's sum of
    neighbour distances (each run's first case starts from its own basis, alike for every
    run). Ten cases with distances 1,1,1,1,1,50,30,15,3 (case 5 → 6 far, the example's
    full-year pattern): cut at 5|6 the runs cost 1+1+1+1+1 = 5 and 30+15+3 = 48; at 6|7,
    5+50 = 55 and 18; at 4|5, 4 and 99; so cases 0–5 and 6–9. Equal distances cut in the
    middle (the most even sizes); three runs of 1,9,1,9,1 cut at both nines (1, 1 and 1
    against any run holding a nine); one run is the whole chain."""
    from optimizer.decisions.decomposition import basis_distance, split_chain

    assert split_chain([1, 1, 1, 1, 1, 50, 30, 15, 3], 2) == [0, 6]
    assert split_chain([2, 2, 2, 2, 2, 2, 2, 2, 2], 2) == [0, 5]
    assert split_chain([1, 9, 1, 9, 1], 3) == [0, 2, 4]
    assert split_chain([4, 4], 1) == [0]
    assert split_chain([], 2) == [0]
    a = (np.array([0, 1, 1, 2], dtype=np.int8), np.array([1, 0], dtype=np.int8))
    b = (np.array([0, 1, 0, 2], dtype=np.int8), np.array([0, 0], dtype=np.int8))
    assert basis_distance(a, b) == 2
    assert basis_distance(a, (a[0][:3], a[1])) == 6


def week_spots(spots: list[float]) -> dict[str, Any]:
    """week-contracts with equiprobable flat spot scenarios, ω = 0.5, α = 0.8."""
    raw: dict[str, Any] = yaml.safe_load((WEEK / "scenario.yaml").read_text())
    raw["uncertainty"] = {
        "scenarios": [
            {
                "name": f"s{k}",
                "probability": 1.0 / len(spots),
                "set": {"grid.spot_price_per_mwh": v},
            }
            for k, v in enumerate(spots)
        ],
        "risk": {"alpha": 0.8, "weight": 0.5},
    }
    return raw


@pytest.mark.parametrize(
    ("spots", "shares"),
    [([40, 41, 42, 160], "['0-2', '3-3']"), ([40, 160, 161, 162], "['0-0', '1-3']")],
)
def test_shares_are_cut_again_where_neighbours_differ(
    spots: list[float], shares: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Four spot scenarios on 2 workers start as 0–1 and 2–3. After the first incumbent
    (every case solved at one first stage) the spot 160 scenario's basis is far from its
    40-ish neighbour's and the near-equal spots' bases are alike, so the chain is cut at
    the far pair: 0–2 | 3 (case 2 built by the first worker, starting from case 1's basis)
    or 0 | 1–3 (case 1 built by the second worker and started from the basis the first
    sent it). Either way the answer is the DE's to 1e-5."""
    study = load_study(week_spots(spots), base_dir=WEEK)
    de = solve_deterministic(study, SolveOptions(), "reference")
    with caplog.at_level(logging.INFO, logger="optimizer.decisions.decomposition"):
        r = solve_decomposed(study, workers=2)
    assert any(f"shares {shares} (were ['0-1', '2-3'])" in m for m in caplog.messages)
    assert_equals_de(r, de)


def test_a_case_taken_by_another_group_starts_from_the_basis_it_is_sent() -> None:
    """A group that takes a case it did not hold builds it and, given that case's basis
    from the group that solved it, starts there: re-solved at the same first stage it is
    optimal after 0 simplex iterations (without the basis, the case solves cold)."""
    from optimizer.decisions.decomposition import _Group

    study = load_study(week_spots([40, 160, 161]), base_dir=WEEK)
    problems = [(k, c.problem) for k, c in enumerate(study.cases)]
    one = _Group(problems, SolveOptions(), mine=[0, 1])
    names = sorted({n for d in one.describe()["subs"].values() for n in d["names"]})
    free = one.solve(names, np.full(len(names), 0.0), np.full(len(names), 1e6))
    x = free[1][3]
    one.solve(names, x, x)
    sent = {k: (c, r) for k, c, r in one.bases()}
    two = _Group(problems, SolveOptions(), mine=[2])
    two.take([1, 2], {1: sent[1]})
    assert two.order == [1, 2]
    result = two.solve(names, x, x)
    assert two.subs[1].lp.h.getInfo().simplex_iteration_count == 0
    assert result[0][2] == approx(one.solve(names, x, x)[1][2], rel=1e-9)


def test_a_fresh_solve_gives_the_warm_solves_answer(caplog: pytest.LogCaptureFixture) -> None:
    """``fresh`` (the first incumbent's evaluation) drops the first case's basis and solves
    it by the presolved dual simplex; the others still start from their sibling's basis.
    At the same first stage it gives the warm solve's objectives and reduced costs (the LP
    is the same; a week's optimum is unique in cost) and logs the way it solved."""
    from optimizer.decisions.decomposition import _Group

    study = load_study(week_spots([40, 160, 161]), base_dir=WEEK)
    problems = [(k, c.problem) for k, c in enumerate(study.cases)]
    warm, fresh = (_Group(problems, SolveOptions()) for _ in range(2))
    names = sorted({n for d in warm.describe()["subs"].values() for n in d["names"]})
    lo, hi = np.full(len(names), 0.0), np.full(len(names), 1e6)
    free = warm.solve(names, lo, hi)
    fresh.solve(names, lo, hi)
    x = np.mean([r[3] for r in free], axis=0)
    a = warm.solve(names, x, x)
    with caplog.at_level(logging.DEBUG, logger="optimizer.decisions.decomposition"):
        b = fresh.solve(names, x, x, True)
    assert any("case 0: optimal" in m and "(presolved, no basis)" in m for m in caplog.messages)
    for ra, rb in zip(a, b, strict=True):
        assert rb[1] == "optimal"
        assert rb[2] == approx(ra[2], rel=1e-9)
        assert rb[4] == approx(ra[4], rel=1e-6, abs=1e-6)


def test_a_time_limit_after_the_first_incumbent_returns_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A clock that jumps 10⁶ s when the first incumbent is made (``rebalance`` runs right
    after it) puts a 1,000 s limit behind: no iteration starts, and the full run returns
    ``time_limit`` with that incumbent's numbers: a feasible first stage, so its objective
    is an upper bound on the DE's and ``solver.converged`` is false; every scenario's 168
    steps are in the dispatch."""
    import time as real_time

    import optimizer.decisions.decomposition as dec
    from optimizer.scenario import load_problem
    from optimizer.solve import solve_by_scenarios

    offset = [0.0]

    class Clock:
        @staticmethod
        def perf_counter() -> float:
            return real_time.perf_counter() + offset[0]

    monkeypatch.setattr(dec, "time", Clock)
    rebalance = dec._Shares.rebalance

    def jump(self: Any) -> None:
        offset[0] = 1e6
        rebalance(self)

    monkeypatch.setattr(dec._Shares, "rebalance", jump)
    raw = week_three(0.5)
    raw["series"]["file"] = str(WEEK / raw["series"]["file"])
    problem = load_problem(raw, base_dir=WEEK)
    options = SolveOptions(time_limit_seconds=1000)
    de = solve_deterministic(load_study(week_three(0.5), base_dir=WEEK), options, "reference")
    result = solve_by_scenarios(problem, options)
    assert result.status == "time_limit"
    s = result.summary
    assert s["status"] == "time_limit"
    assert "best first stage found" in s["message"]
    assert s["solver"]["time_limit"] is True
    assert s["solver"]["converged"] is False
    assert s["solver"]["iterations"] == 0
    assert s["objective"] >= de["objective"] * (1 - 1e-9)
    assert s["solver"]["lower_bound"] <= de["objective"] * (1 + 1e-9)
    assert result.dispatch is not None
    assert result.dispatch["scenario"].value_counts().to_dict() == {
        "base": 168,
        "low": 168,
        "high": 168,
    }


def test_a_time_limit_before_any_first_stage_is_a_time_limit_result() -> None:
    """With 1 µs HiGHS stops every case alone at its time limit: no first stage is known, so
    the run is ``time_limit`` with a message naming the limit and no dispatch (as a DE
    that found no point), not a solver error and not a DE started after it."""
    from optimizer.scenario import load_problem
    from optimizer.solve import solve_by_scenarios

    raw = week_three(0.5)
    raw["series"]["file"] = str(WEEK / raw["series"]["file"])
    result = solve_by_scenarios(
        load_problem(raw, base_dir=WEEK), SolveOptions(time_limit_seconds=1e-6)
    )
    assert result.status == "time_limit"
    assert result.dispatch is None
    assert "time limit of 1e-06 s" in result.summary["message"]
    assert result.summary["solver"]["method"] == "scenario decomposition (multi-cut Benders)"


def test_a_full_runs_workers_follow_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On 4 cores a full run decomposes on one worker per core up to the scenarios (3 of 3,
    4 of 10), on at most the threads it was given (a batch's share: 2 → 2 workers) and in
    its own process when that share is one thread (a 2-worker batch on 2 cores)."""
    import optimizer.screening.solve as screening
    from optimizer.solve import _scenario_workers

    monkeypatch.setattr(screening, "available_cores", lambda: 4)
    assert _scenario_workers(3, None) == 3
    assert _scenario_workers(10, None) == 4
    assert _scenario_workers(10, 8) == 4
    assert _scenario_workers(10, 2) == 2
    assert _scenario_workers(10, 1) == 0
