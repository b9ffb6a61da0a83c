"""The cost–carbon frontier: cost against a 24/7 CFE target or an emissions cap (CONTRACT 6).

The LP is built once with the CFE row (``BuildOptions(cfe_row=True)``; for a cap sweep also
the emissions row) and kept in HiGHS. Each point moves one row bound,

    CFE row:        Σ_t dirty[t]·Δt ≤ (1 − x)·Σ_t load[t]·Δt
    emissions row:  Σ_t emissions[t] ≤ cap

and re-solves with the simplex from the previous optimal basis (a bound change keeps the
basis dual feasible, so the dual simplex needs only the pivots between neighbouring optima).
Points are solved from the loosest to the tightest goal. The numbers of each point come
from :func:`optimizer.results.extract`, as ``dcopt run --set carbon.cfe_target=x`` reports
them. A target beyond the reachable maximum is a row with status ``infeasible``.

Where the cold solve is an interior point (a full year under ``auto``), a CFE sweep of one
scenario is a *split sweep* instead (:func:`_split_sweep`): the best score first (cold),
goals above it infeasible without a solve, goals met by a looser point's score that point,
the looser goals cold by the interior point and the tightest in one warm chain, in two
processes when a core is idle (docs/decisions.md, "The split sweep").

Between neighbouring optimal points i−1, i the marginal cost is
``Δtotal_cost / Δclean_mwh`` (clean MWh = cfe_score · served load) and
``Δtotal_cost / (emissions[i−1] − emissions[i])`` per tCO2 abated (location-based); None
where the denominator is (numerically) zero.

The default CFE range (``targets=None``; ``dcopt frontier --cfe auto`` or neither ``--cfe``
nor ``--emissions``) starts where the target begins to bind and ends at the best reachable
score: the model is first solved with the CFE row relaxed (the unconstrained run), its
24/7 CFE score s0 rounded down to the step is the first target, then every step up to the
highest reachable score s_max (:func:`optimizer.goals.max_cfe_score`), and s_max itself
(rounded down to 1e-4) when it is not on the grid:
``floor(s0/step)·step, … , floor(s_max/step)·step [, s_max]``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from optimizer.decisions.common import (
    clean_number,
    max_cfe_score,
    min_emissions,
    warm_settings,
)
from optimizer.model import BuildOptions, build_model
from optimizer.model.highs import HighsLp, HighsSettings, release_threads
from optimizer.options import core_idle, fork_is_safe
from optimizer.results import extract, versions
from optimizer.scenario import Problem
from optimizer.scenario.cases import Study
from optimizer.solve import SolveOptions, choose_settings

log = logging.getLogger(__name__)

Mode = Literal["cfe", "emissions"]
AUTO_STEP = 0.05
"""The step of the default CFE range."""

CSV_COLUMNS = (
    "cfe_target",
    "status",
    "objective",
    "total_cost",
    "cfe_score",
    "emissions_tco2",
    "cost_per_mwh",
    "max_emissions_tco2",
    "served_load_mwh",
    "clean_energy_mwh",
    "marginal_cost_per_mwh_clean",
    "marginal_cost_per_tco2_abated",
    "solve_seconds",
    "signed_offers",
)
"""frontier.csv: CONTRACT section 6's columns first, then ours."""


@dataclass
class FrontierPoint:
    """One row of frontier.csv; ``emissions_tco2`` is location-based."""

    cfe_target: float | None
    max_emissions_tco2: float | None
    status: str
    objective: float | None = None
    total_cost: float | None = None
    cfe_score: float | None = None
    emissions_tco2: float | None = None
    cost_per_mwh: float | None = None
    served_load_mwh: float | None = None
    clean_energy_mwh: float | None = None
    marginal_cost_per_mwh_clean: float | None = None
    marginal_cost_per_tco2_abated: float | None = None
    solve_seconds: float = 0.0
    signed_offers: str = ""
    """The offers signed at this point (CONTRACT 13), ``group=name`` joined by ``;``: each
    point re-chooses them (a tighter target may sign another supplier)."""
    summary: dict[str, Any] | None = field(default=None, repr=False)
    dispatch: Any = field(default=None, repr=False)
    """The dispatch table, kept for the first optimal point only (the report's run)."""

    def row(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("summary", "dispatch")
        }


@dataclass
class FrontierResult:
    mode: Mode
    problem: Problem
    points: list[FrontierPoint]
    max_cfe_score: float | None
    min_emissions_tco2: float | None = None
    unconstrained_cfe_score: float | None = None
    """The CFE score with the CFE row relaxed; set for the default range (targets=None)."""
    build_seconds: float = 0.0
    seconds: float = 0.0
    warm_start: bool = True

    @property
    def any_optimal(self) -> bool:
        return any(p.status == "optimal" for p in self.points)

    def to_dict(self) -> dict[str, Any]:
        p = self.problem
        return {
            "scenario": p.scenario.name,
            "currency": p.scenario.currency,
            "mode": self.mode,
            "max_cfe_score": clean_number(self.max_cfe_score),
            "min_emissions_tco2": clean_number(self.min_emissions_tco2),
            "unconstrained_cfe_score": clean_number(self.unconstrained_cfe_score),
            "points": [pt.row() for pt in self.points],
            "build_seconds": self.build_seconds,
            "seconds": self.seconds,
            "warm_start": self.warm_start,
        }


def auto_targets(unconstrained: float, best: float, step: float = AUTO_STEP) -> list[float]:
    """The default CFE range: the unconstrained score rounded down to ``step``, every step up
    to the best reachable score, and that score (rounded down to 1e-4) when off the grid."""
    if not 0 < step <= 1:
        raise ValueError(f"step must lie in (0, 1], got {step}")
    lo = math.floor(unconstrained / step + 1e-9)
    hi = math.floor(best / step + 1e-9)
    values = [round(i * step, 10) for i in range(lo, max(lo, hi) + 1)]
    top = math.floor(best * 1e4 + 1e-6) / 1e4
    if top > values[-1] + 1e-4:
        values.append(top)
    return values


def _dirty_now(built: Any, lp: HighsLp) -> float:
    """Σ dirty energy of the CFE row at the LP's current solution."""
    coefs, variables = built.builder.base.cfe.terms
    cols = lp.cols(variables)
    x = lp.values(lp.columns)
    return float(sum(c * x[j] for c, j in zip(coefs, cols.tolist(), strict=True) if j >= 0))


def frontier(
    problem: Problem,
    targets: Sequence[float] | None,
    mode: Mode = "cfe",
    options: SolveOptions | None = None,
    *,
    warm_start: bool = True,
    step: float = AUTO_STEP,
    parallel: bool | None = None,
) -> FrontierResult:
    """Solve ``problem`` at every CFE target (``mode="cfe"``) or emissions cap (``"emissions"``).

    ``targets=None`` (CFE mode only) is the default range of the module docstring, from the
    unconstrained run's score rounded down to ``step`` up to the best reachable score.

    The scenario's own goal of the swept kind is replaced by each point's; its other goal
    stays. A study (a pathway, a scenario set) moves the goal of every case to the point's
    (a flat target path; :func:`pathway_frontier` scales a pathway's own path), needs
    explicit ``targets`` and reports no best reachable value. ``warm_start=False`` clears
    HiGHS's basis before every point (a cold solve each time; the tests compare both).

    ``parallel``: solve the sweep as two warm chains on two cores (:func:`_two_chains`);
    None (the default) does so when a second core is idle, this process runs no other
    thread and there are at least :data:`MIN_SPLIT` goals (False: one chain, as before).
    """
    t0 = time.perf_counter()
    options = options or SolveOptions()
    carbon = problem.carbon
    built = build_model(problem, BuildOptions(cfe_row=True, emissions_row=mode == "emissions"))
    lp = HighsLp(built.model)
    build_seconds = built.build_seconds + lp.compile_seconds
    b = built.builder
    # Every case's goal row moves (a pathway: the same target in every year; a scenario
    # set: in every scenario, or the one row in expectation), not the first case's alone.
    cfe_rows, cap_rows = _goal_rows(b)
    assert cfe_rows, "the model has no CFE row"
    total_load = cfe_rows[0][1]
    if not b.single and targets is None:
        raise ValueError(
            "a study (pathway or scenario set) has no default CFE range: give the targets"
        )
    cold = choose_settings(options, sum(c.problem.periods for c in b.cases))
    warm = warm_settings(options, sum(c.problem.periods for c in b.cases)) if warm_start else cold
    # A full year's CFE sweep: the looser goals cold by the interior point, the tighter ones
    # in a warm chain (_split_sweep); small LPs keep the warm chains of the simplex.
    split_sweep = (
        mode == "cfe" and b.single and warm_start and cold.algorithm == "ipm" and not lp.is_mip
    )
    interior = replace(cold, crossover=bool(options.crossover))

    shed_rows = [
        (c.cfe.row, lp.cols(c.cfe.shed[1]), c.cfe.shed[0])
        for c in b.cases
        if c.cfe is not None and c.cfe.shed is not None and b.study_cfe is None
    ]

    def set_cfe(target: float | None) -> None:
        for row, total in cfe_rows:
            lp.set_row_upper(row, float("inf") if target is None else (1 - target) * total)
        if target is not None:  # shed and lost load count at (1 − x) (policy.py)
            for row, cols, coefs in shed_rows:
                for j, k in zip(cols.tolist(), coefs, strict=True):
                    if j >= 0:
                        lp.set_coefficient(row, j, (1 - target) * k)

    def set_cap(cap: float | None) -> None:
        assert cap_rows
        for row in cap_rows:
            lp.set_row_upper(row, float("inf") if cap is None else cap)

    unconstrained: float | None = None
    auto_best: float | None = None
    seed: FrontierPoint | None = None
    solved_once = False
    if targets is None:
        if mode != "cfe":
            raise ValueError("the default range (targets=None) is for mode='cfe' only")
        set_cfe(None)
        if lp.solve(interior if split_sweep else cold) == "optimal":
            solved_once = not split_sweep  # the interior point leaves no basis
            # The score as reported (a virtual PPA's matched energy u = min(I, V)): the row's
            # own u is free below that while the row is slack (week-contracts: 0.565 by the
            # row, 0.700 reported).
            seed = _unconstrained_point(built, lp, carbon, lp.solve_seconds)
            if seed is not None and seed.cfe_score is not None:
                unconstrained = seed.cfe_score
            else:
                unconstrained = 1.0 - _dirty_now(built, lp) / total_load if total_load else 1.0
            auto_best = max_cfe_score(built, lp, interior if split_sweep else warm)
        if unconstrained is None or auto_best is None:
            targets = [carbon.cfe_target or 0.0]  # nothing solves: one point says why
        else:
            targets = auto_targets(unconstrained, max(auto_best, unconstrained), step)
        log.info("frontier: default CFE range %s", targets)

    # Loosest goal first, so that each point warm-starts from a neighbour.
    order = sorted(targets) if mode == "cfe" else sorted(targets, reverse=True)
    if mode == "emissions" and b.single:  # a study's rows keep each case's own target
        set_cfe(carbon.cfe_target)
    two = warm_start and not split_sweep and _two_chains_wanted(parallel)
    split = _split_index(order) if two else None
    if split is not None:  # each chain's simplex on one core of its own, Devex pricing
        warm = replace(warm, threads=1, extra=(*warm.extra, *CHAIN_OPTIONS))

    def point(
        x: float, settings: HighsSettings | None = None, clear: bool = False
    ) -> FrontierPoint:
        if mode == "cfe":
            set_cfe(x)
        else:
            set_cap(x)
        if clear or not warm_start:
            lp.clear_solver()
        status = lp.solve(settings or (warm if solved[0] else cold))
        if status == "optimal":
            solved[0] = True
        pt = FrontierPoint(
            cfe_target=x if mode == "cfe" else carbon.cfe_target,
            max_emissions_tco2=x if mode == "emissions" else carbon.max_emissions_tco2,
            status=status if status != "unbounded" else "error",
            solve_seconds=lp.solve_seconds,
        )
        if status in ("optimal", "time_limit") and lp.has_solution:
            _read_solution(pt, built, lp)
        log.info("frontier point %g: %s in %.2f s", x, status, lp.solve_seconds)
        return pt

    def tighter(xs: Sequence[float], after: FrontierPoint | None = None) -> list[FrontierPoint]:
        """Points from looser to tighter goals, the first after ``after``: past an
        infeasible goal every tighter one is infeasible too (its feasible set is a subset of
        the looser one's), so it is not solved again."""
        out: list[FrontierPoint] = []
        prev = after
        for x in xs:
            prev = point_infeasible(x) if prev and prev.status == "infeasible" else point(x)
            out.append(prev)
        return out

    def point_infeasible(x: float, why: str = "a looser goal already is") -> FrontierPoint:
        log.info("frontier point %g: infeasible (%s)", x, why)
        return FrontierPoint(
            cfe_target=x if mode == "cfe" else carbon.cfe_target,
            max_emissions_tco2=x if mode == "emissions" else carbon.max_emissions_tco2,
            status="infeasible",
        )

    def best_values() -> tuple[float | None, float | None]:
        """The best reachable values, the swept goal relaxed (the scenario's other goal
        kept); not computed for a study (the first case's best alone would mislead)."""
        best_settings = warm if solved[0] else cold
        if not b.single:
            return None, None
        if mode == "cfe":
            set_cfe(None)
            if auto_best is not None:
                return auto_best, None
            return max_cfe_score(built, lp, best_settings), None
        set_cap(None)
        best_em = min_emissions(built, lp, best_settings)
        set_cfe(None)
        return max_cfe_score(built, lp, best_settings), best_em

    solved = [solved_once]
    if split_sweep:
        if auto_best is None:  # explicit goals: the best score first, cold (one IPM solve)
            set_cfe(None)
            auto_best = max_cfe_score(built, lp, interior)
        chains = _two_chains_wanted(parallel) and len(order) >= MIN_SPLIT
        points = _split_sweep(
            order,
            auto_best,
            seed if not shed_rows else None,
            point,
            point_infeasible,
            interior=replace(interior, threads=1) if chains else interior,
            first=replace(cold, threads=1) if chains else cold,
            warm=replace(warm, threads=1, extra=(*warm.extra, *CHAIN_OPTIONS)) if chains else warm,
            copies=not shed_rows,
            parallel=chains,
        )
        best_cfe, best_em = auto_best, None
    elif split is None:
        points = tighter(order)
        best_cfe, best_em = best_values()
    else:
        points, (best_cfe, best_em) = _two_chains(order, split, point, tighter, best_values)
    _first_dispatch_only(points)  # the report's run
    _marginals(points)

    return FrontierResult(
        mode=mode,
        problem=problem,
        points=points,
        max_cfe_score=best_cfe,
        min_emissions_tco2=best_em,
        unconstrained_cfe_score=unconstrained,
        build_seconds=build_seconds,
        seconds=time.perf_counter() - t0,
        warm_start=warm_start,
    )


CHAIN_OPTIONS: tuple[tuple[str, Any], ...] = (("simplex_dual_edge_weight_strategy", 1),)
"""HiGHS options of the two chains' warm solves: Devex pricing. HiGHS's default (dual
steepest edge) first computes a weight per row from the crossover's basis, which each chain
would pay: on year-cfe90 the first step after the middle solve took 20.4 s with it and 8.6 s
with Devex, the next ones 5.5 against 7.9 s (docs/performance.md, "Frontier in two chains");
one chain keeps the default (60.5 s against 82.4 s with Devex)."""

MIN_SPLIT = 4
"""Goals below which the sweep stays one chain (a fork and a second process cost about
0.1 s; the half-sweep they save is worth it from a handful of full-year points)."""


WARM_SHARE = 0.4
"""Share of a split sweep's goals (the tightest) walked by its warm chain; the looser ones
are solved cold by the interior point (:func:`_split_sweep`)."""

SCORE_TOL = 1e-9
"""A score this close to a goal meets it (copies, goals beyond the best score)."""


def _unconstrained_point(
    built: Any, lp: HighsLp, carbon: Any, seconds: float
) -> FrontierPoint | None:
    """The solution with the CFE row relaxed as a point (no goal of its own): the answer
    to every goal at or below its score (:func:`_copy`)."""
    if not lp.has_solution:
        return None
    pt = FrontierPoint(
        cfe_target=None,
        max_emissions_tco2=carbon.max_emissions_tco2,
        status="optimal",
        solve_seconds=seconds,
    )
    _read_solution(pt, built, lp)
    return pt


def _read_solution(pt: FrontierPoint, built: Any, lp: HighsLp) -> None:
    """Fill ``pt`` from the LP's current solution (:func:`optimizer.results.extract`);
    an optimal point keeps its dispatch, a time-limited one says so in its summary."""
    summary, dispatch = extract(built, lp)
    summary["versions"] = versions()
    if pt.status != "optimal":
        summary["status"] = pt.status
    _fill(pt, summary)
    if pt.status == "optimal":
        pt.dispatch = dispatch


def _copy(pt: FrontierPoint, x: float) -> FrontierPoint:
    """``pt`` as the answer at the goal x ≤ its score: the goals are nested (the feasible set
    at a tighter goal is a subset of a looser one's), so an optimum at a looser goal that
    meets x is optimal at x. Its dispatch is shared (the report keeps the first one)."""
    log.info(
        "frontier point %g: the solution at %s (score %.6f) meets it; not solved again",
        x,
        "no goal" if pt.cfe_target is None else f"{pt.cfe_target:g}",
        pt.cfe_score,
    )
    return replace(
        pt,
        cfe_target=x,
        solve_seconds=0.0,
        marginal_cost_per_mwh_clean=None,
        marginal_cost_per_tco2_abated=None,
    )


class _Claims:
    """Which goals of a split sweep are taken, shared by its two processes (fork).

    Goals 0..n−1 (loosest first) form a lower range [0, m) and an upper range [m, n). Ends:
    ``LOW`` takes the lower range from its bottom, ``LOW_TOP`` from its top, ``UP`` the
    upper range from its bottom, ``UP_TOP`` from its top; a range is used up when its two
    ends cross. Without a ``ctx`` the state is this process's own."""

    LOW, LOW_TOP, UP, UP_TOP = 0, 1, 2, 3

    def __init__(self, n: int, m: int, ctx: Any | None = None) -> None:
        init = [0, m - 1, m, n - 1]
        self._v: Any = init if ctx is None else ctx.RawArray("i", init)
        self._lock: Any = contextlib.nullcontext() if ctx is None else ctx.Lock()

    def take(self, end: int, accept: Callable[[int], bool] | None = None) -> int | None:
        """The next goal from ``end`` (None when its range is used up or ``accept`` refuses
        it, in which case it stays free)."""
        with self._lock:
            v = self._v
            lo, hi = (0, 1) if end in (self.LOW, self.LOW_TOP) else (2, 3)
            if v[lo] > v[hi]:
                return None
            i = int(v[end])
            if accept is not None and not accept(i):
                return None
            v[end] = i + 1 if end in (self.LOW, self.UP) else i - 1
            return i


def _split_sweep(
    order: Sequence[float],
    best: float | None,
    seed: FrontierPoint | None,
    point: Callable[..., FrontierPoint],
    point_infeasible: Callable[..., FrontierPoint],
    *,
    interior: HighsSettings,
    first: HighsSettings,
    warm: HighsSettings,
    copies: bool,
    parallel: bool,
) -> list[FrontierPoint]:
    """A full year's CFE sweep: the looser goals cold by the interior point, the tightest
    :data:`WARM_SHARE` in one warm chain (the dual simplex from the previous basis).

    Why (year-cfe90, one thread, docs/performance.md "The frontier split"): from a
    neighbour's basis the dual simplex takes 6.0–9.4 s a step at goals 0.6–0.75 (loosening
    and tightening alike) but 4.2–4.9 s at 0.85–0.95, while HiPO solves a goal cold in
    4.2–5.1 s up to 0.8 and 7.8–8.4 s at 0.9–0.95; the best score takes 0.8 s cold against
    7.7 s warm. So: ``best`` (the best reachable score, solved cold before) makes every
    goal above it infeasible without a solve; a goal at or below a solved point's score is
    that point (:func:`_copy`, when ``copies``: no shed load in the CFE row; ``seed`` is the
    relaxed solution). With ``parallel`` the rest are claimed (:class:`_Claims`): this
    process solves the lower range cold from its bottom, then the upper range cold from its
    top; the warm chain, in a forked child, walks the upper range from its bottom
    (``first``: cold with crossover, for the basis; then ``warm``), then the lower range
    cold from its top. Each goal is solved once, by whichever process gets to it. Without
    ``parallel`` the rest are one warm chain (the bundled example's warm steps at the looser
    goals, 8.6–14.3 s, beat its cold solves on one process, 16–19 s)."""
    out: dict[int, FrontierPoint] = {}
    todo: list[int] = []
    for i, x in enumerate(order):
        if best is not None and x > best + SCORE_TOL:
            out[i] = point_infeasible(x, f"beyond the best reachable score {best:.6f}")
        elif seed is not None and seed.cfe_score is not None and x <= seed.cfe_score + SCORE_TOL:
            out[i] = _copy(seed, x)
        else:
            todo.append(i)
    n = len(todo)
    chain = max(1, round(WARM_SHARE * n)) if n >= 2 else 0
    m = n - chain if parallel else 0  # one process: one warm chain through them all

    def copy_ahead(
        claims: _Claims, end: int, pt: FrontierPoint, got: dict[int, FrontierPoint]
    ) -> None:
        """The next goals from ``end`` (walking up) that ``pt``'s score meets are ``pt``."""
        if not copies or pt.status != "optimal" or pt.cfe_score is None:
            return
        met = functools.partial(_met, order, todo, pt.cfe_score + SCORE_TOL)
        while (j := claims.take(end, met)) is not None:
            got[j] = _copy(pt, order[todo[j]])

    def cold(k: int) -> FrontierPoint:
        return point(order[todo[k]], interior, True)

    def lower(claims: _Claims, ahead: bool) -> dict[int, FrontierPoint]:
        got: dict[int, FrontierPoint] = {}
        while True:
            k = claims.take(_Claims.LOW)
            up = k is not None
            if k is None and ahead:
                k = claims.take(_Claims.UP_TOP)
            if k is None:
                return got
            pt = got[k] = cold(k)
            if up:
                copy_ahead(claims, _Claims.LOW, pt, got)

    def upper(claims: _Claims) -> dict[int, FrontierPoint]:
        got: dict[int, FrontierPoint] = {}
        basis = dead = False
        while (k := claims.take(_Claims.UP)) is not None:
            x = order[todo[k]]
            if dead:  # past an infeasible goal every tighter one is infeasible too
                got[k] = point_infeasible(x)
                continue
            pt = got[k] = point(x, warm) if basis else point(x, first, True)
            basis = pt.status == "optimal"
            dead = pt.status == "infeasible"
            copy_ahead(claims, _Claims.UP, pt, got)
        while (k := claims.take(_Claims.LOW_TOP)) is not None:
            got[k] = cold(k)
        return got

    t0 = time.perf_counter()
    if not parallel or n < 2:
        claims = _Claims(n, m)
        got = lower(claims, ahead=False)
        got.update(upper(claims))
    else:
        claims = _Claims(n, m, multiprocessing.get_context("fork"))

        def child_part() -> dict[int, FrontierPoint]:
            pts = upper(claims)
            _first_dispatch_only(list(pts.values()))  # only its first dispatch is sent
            return pts

        got, theirs, failed = _with_child(lambda: lower(claims, ahead=True), child_part)
        if failed is not None:
            log.warning("frontier: the second process failed (%s); solving its goals here", failed)
        got.update(theirs or {})
        for k in range(n):  # goals a failed child had claimed
            if k not in got:
                got[k] = cold(k)
    unsolved = sum(pt.solve_seconds == 0.0 for pt in got.values())  # copies, past infeasible
    log.info(
        "frontier: %d goals answered without a solve, %d solved (up to %d cold from the "
        "loosest, a warm chain of %d), in %.2f s",
        len(out) + unsolved,
        n - unsolved,
        m,
        n - m,
        time.perf_counter() - t0,
    )
    for k, pt in got.items():
        out[todo[k]] = pt
    return [out[i] for i in range(len(order))]


def _met(order: Sequence[float], todo: list[int], reach: float, k: int) -> bool:
    return order[todo[k]] <= reach


def _with_child(here: Callable[[], Any], there: Callable[[], Any]) -> tuple[Any, Any, str | None]:
    """Run ``here`` in this process while a forked child (which inherits the LP, its basis
    and any shared state) runs ``there``; the child's result comes back pickled. Returns
    (here's result, there's result, None), or (here's result, None, why) when the child
    failed: the caller then does its part itself, so the answer never depends on it."""
    ctx = multiprocessing.get_context("fork")
    release_threads()  # a forked child inherits HiGHS's scheduler but not its threads
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send(("ok", there()))
        except BaseException as exc:  # reported to the parent
            send.send(("error", repr(exc)))

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    mine = here()
    try:
        status, theirs = receive.recv()
    except (EOFError, OSError) as exc:
        status, theirs = "error", repr(exc)
    finally:
        receive.close()
        proc.join(timeout=10)
    return (mine, theirs, None) if status == "ok" else (mine, None, str(theirs))


def _first_dispatch_only(points: list[FrontierPoint]) -> None:
    """Keep the dispatch of the first optimal point only (the report draws that run)."""
    first = next((p for p in points if p.status == "optimal"), None)
    for p in points:
        if p is not first:
            p.dispatch = None


def _two_chains_wanted(parallel: bool | None) -> bool:
    """Two chains need ``fork`` (Linux; the child inherits the solved LP, its basis and
    factorisation hot) in a process with no other thread, and, unless asked for
    explicitly, a core that is idle: 1-minute load average ≤ cores − 1 (the rule of the
    report process, :mod:`optimizer.report.process`)."""
    if parallel is False or not fork_is_safe():
        return False
    return bool(parallel) or core_idle()


def _split_index(order: Sequence[float]) -> int | None:
    """The goal solved first, in the middle of the sweep, or None for a short sweep."""
    return len(order) // 2 if len(order) >= MIN_SPLIT else None


def _two_chains(
    order: Sequence[float],
    m: int,
    point: Callable[[float], FrontierPoint],
    tighter: Callable[[Sequence[float], FrontierPoint | None], list[FrontierPoint]],
    best_values: Callable[[], tuple[float | None, float | None]],
) -> tuple[list[FrontierPoint], tuple[float | None, float | None]]:
    """The sweep as two warm chains from its middle goal ``order[m]``.

    This process solves ``order[m]`` and forks: the child inherits the LP with its optimal
    basis and walks to the tighter goals (``order[m+1:]``, then the best reachable values),
    this process to the looser ones (``order[m-1]`` down to ``order[0]``), each point warm
    from its neighbour, as the one chain would, on its own core. A bound change keeps the
    basis dual feasible whichever way the goal moves. The child sends its points back
    (pickled; the dispatch of its first optimal point only). Should it fail, this process
    solves its points itself, so the answer never depends on the second process."""
    middle = point(order[m])

    def upper_chain() -> tuple[list[FrontierPoint], tuple[float | None, float | None]]:
        pts = tighter(order[m + 1 :], middle)
        best = best_values()
        _first_dispatch_only(pts)  # only its first dispatch is sent
        return pts, best

    t0 = time.perf_counter()
    lower, theirs, failed = _with_child(
        lambda: [point(x) for x in reversed(order[:m])], upper_chain
    )
    lower.reverse()
    if failed is not None:
        log.warning("frontier: the second chain failed (%s); solving its goals here", failed)
        theirs = upper_chain()
    upper, best = theirs
    log.info("frontier: two chains from goal %g in %.2f s", order[m], time.perf_counter() - t0)
    return [*lower, middle, *upper], best


def _goal_rows(b: Any) -> tuple[list[tuple[Any, float]], list[Any]]:
    """(CFE rows with the load energy their target multiplies, emissions-cap rows) of every
    case; a scenario set in expectation: its one row of each (the CFE one in shares)."""
    if b.study_cfe is not None:
        cfe = [(b.study_cfe.row, 1.0)]
    else:
        cfe = [(c.cfe.row, c.cfe.total_load_mwh) for c in b.cases if c.cfe is not None]
    if b.study_emissions is not None:
        caps = [b.study_emissions.row]
    else:
        caps = [c.emissions_cap.row for c in b.cases if c.emissions_cap is not None]
    return cfe, caps


def _fill(pt: FrontierPoint, summary: dict[str, Any]) -> None:
    pt.summary = summary
    pt.signed_offers = ";".join(f"{g}={n}" for g, n in summary.get("signed_offers", {}).items())
    pt.objective = clean_number(summary["objective"])
    pt.total_cost = clean_number(summary["total_cost"])
    pt.cfe_score = clean_number(summary["cfe_score"])
    pt.emissions_tco2 = clean_number(summary["emissions_tco2"]["location_based"])
    pt.cost_per_mwh = clean_number(summary["cost_per_mwh"])
    served = float(summary["served_load_mwh"])
    pt.served_load_mwh = served
    pt.clean_energy_mwh = (pt.cfe_score or 0.0) * served if pt.cfe_score is not None else None


def _marginals(points: list[FrontierPoint]) -> None:
    prev: FrontierPoint | None = None
    for pt in points:
        if pt.status != "optimal":
            continue
        if prev is not None and prev.total_cost is not None and pt.total_cost is not None:
            d_cost = pt.total_cost - prev.total_cost
            scale = max(1.0, pt.served_load_mwh or 1.0)
            if pt.clean_energy_mwh is not None and prev.clean_energy_mwh is not None:
                d_clean = pt.clean_energy_mwh - prev.clean_energy_mwh
                if abs(d_clean) > 1e-7 * scale:
                    pt.marginal_cost_per_mwh_clean = d_cost / d_clean
            if pt.emissions_tco2 is not None and prev.emissions_tco2 is not None:
                abated = prev.emissions_tco2 - pt.emissions_tco2
                if abs(abated) > 1e-7 * max(1.0, abs(prev.emissions_tco2)):
                    pt.marginal_cost_per_tco2_abated = d_cost / abated
        prev = pt


# -- a pathway: the per-year CFE target path scaled by one factor ---------------------------
@dataclass
class PathwayPoint:
    """One row of pathway_frontier.csv: the factor f, each year's target min(1, x_y·f)
    (None where the year has none), the present value and each year's achieved score."""

    cfe_scale: float
    status: str
    targets: dict[str, float | None]
    objective: float | None = None
    """Present value of the pathway's costs (CONTRACT 10)."""
    levelised_cost_per_mwh: float | None = None
    cfe_score: dict[str, float | None] = field(default_factory=dict)
    capacity_mw: dict[str, dict[str, float]] = field(default_factory=dict)
    """Standing MW by year and item."""
    solve_seconds: float = 0.0
    message: str = ""

    def row(self, years: Sequence[str]) -> dict[str, Any]:
        """The CSV row: ``cfe_target:<year>`` and ``cfe_score:<year>`` per year."""
        out: dict[str, Any] = {
            "cfe_scale": self.cfe_scale,
            "status": self.status,
            "objective": self.objective,
            "levelised_cost_per_mwh": self.levelised_cost_per_mwh,
        }
        for y in years:
            out[f"cfe_target:{y}"] = self.targets.get(y)
        for y in years:
            out[f"cfe_score:{y}"] = self.cfe_score.get(y)
        out["solve_seconds"] = self.solve_seconds
        return out


@dataclass
class PathwayFrontier:
    problem: Problem
    years: list[str]
    base_targets: dict[str, float | None]
    points: list[PathwayPoint]
    seconds: float = 0.0

    @property
    def any_optimal(self) -> bool:
        return any(p.status == "optimal" for p in self.points)

    def rows(self) -> list[dict[str, Any]]:
        return [p.row(self.years) for p in self.points]

    def to_dict(self) -> dict[str, Any]:
        p = self.problem
        return {
            "scenario": p.scenario.name,
            "currency": p.scenario.currency,
            "mode": "cfe_scale",
            "objective": "present value of the pathway's costs",
            "years": self.years,
            "base_targets": self.base_targets,
            "points": [
                {
                    "cfe_scale": pt.cfe_scale,
                    "status": pt.status,
                    "targets": pt.targets,
                    "objective": pt.objective,
                    "levelised_cost_per_mwh": pt.levelised_cost_per_mwh,
                    "cfe_score": pt.cfe_score,
                    "capacity_mw": pt.capacity_mw,
                    "solve_seconds": pt.solve_seconds,
                    "message": pt.message,
                }
                for pt in self.points
            ],
            "seconds": self.seconds,
        }


def cfe_path(study: Study) -> dict[str, float | None]:
    """Each modelled year's ``carbon.cfe_target`` (None where the year has none)."""
    return {str(c.year): c.problem.carbon.cfe_target for c in study.cases}


def scaled_study(study: Study, factor: float) -> Study:
    """The study with every year's CFE target x_y replaced by min(1, x_y·factor); a year
    without a target stays without."""
    import dataclasses

    cases = []
    for c in study.cases:
        p = c.problem
        x = p.carbon.cfe_target
        if x is None:
            cases.append(c)
            continue
        carbon = p.scenario.carbon.model_copy(update={"cfe_target": min(1.0, x * factor)})
        scenario = p.scenario.model_copy(update={"carbon": carbon})
        cases.append(dataclasses.replace(c, problem=dataclasses.replace(p, scenario=scenario)))
    return dataclasses.replace(study, cases=tuple(cases))


def pathway_frontier(
    problem: Problem,
    factors: Sequence[float],
    options: SolveOptions | None = None,
    *,
    warm_start: bool = True,
) -> PathwayFrontier:
    """``dcopt frontier --cfe-scale``: one whole-pathway solve per factor f, each year's
    CFE target scaled by f (capped at 1). ``ValueError`` without a horizon or without any
    year's target (the CLI names the flag).

    ``warm_start``: the pathway is built once with every year's CFE row and each point
    moves the rows' bounds, ``Σ dirty_y ≤ (1 − min(1, f·x_y))·L_y``, re-solving from the
    previous basis, factors ascending. A heat pump's CFE term depends on the target itself
    (docs/compliance.md), so a pathway with one is rebuilt per point, as with
    ``warm_start=False`` (the tests check both give the same rows)."""
    t0 = time.perf_counter()
    study = problem.study
    if study is None or study.kind != "years":
        raise ValueError("needs a horizon of years (horizon.years)")
    base = cfe_path(study)
    if all(x is None for x in base.values()):
        raise ValueError(
            "no year has a carbon.cfe_target (set one in carbon or in horizon.years[].set)"
        )
    bad = [f for f in factors if not (math.isfinite(f) and f >= 0)]
    if bad:
        raise ValueError(f"a CFE scale must be a finite number ≥ 0, got {bad[0]:g}")
    options = (options or SolveOptions()).model_copy(update={"diagnose_infeasible": False})
    years = list(base)
    order = sorted(factors)
    points = (
        _pathway_warm(study, order, options, years)
        if warm_start
        else [_pathway_point(study, f, options, years) for f in order]
    )
    return PathwayFrontier(problem, years, base, points, time.perf_counter() - t0)


def _pathway_point(study: Study, f: float, options: SolveOptions, years: list[str]) -> PathwayPoint:
    """One point by a fresh build and solve of the scaled study."""
    from optimizer.solve import solve

    one = scaled_study(study, f)
    r = solve(one, options)
    pt = PathwayPoint(
        cfe_scale=f,
        status=r.status,
        targets=cfe_path(one),
        solve_seconds=float(r.summary.get("solve_seconds", 0.0)),
        message=r.message,
    )
    if r.status == "optimal":
        _fill_pathway(pt, r.summary, years)
    log.info("pathway frontier f = %g: %s", f, r.status)
    return pt


def _fill_pathway(pt: PathwayPoint, s: dict[str, Any], years: list[str]) -> None:
    pt.objective = clean_number(s["objective"])
    pt.levelised_cost_per_mwh = clean_number(
        (s.get("present_value") or {}).get("levelised_cost_per_mwh")
    )
    pt.cfe_score = {y: clean_number(s["years"][y]["cfe_score"]) for y in years}
    pt.capacity_mw = {y: dict(s["years"][y]["capacity_mw"]) for y in years}


def _pathway_warm(
    study: Study, factors: list[float], options: SolveOptions, years: list[str]
) -> list[PathwayPoint]:
    """The points from one LP whose CFE row bounds move (see :func:`pathway_frontier`)."""
    built = build_model(study, BuildOptions(cfe_row=True))
    b = built.builder
    if any(
        (c.book is not None and c.book.heat_pump is not None)
        or (c.cfe is not None and c.cfe.shed is not None)
        for c in b.cases
    ):
        log.info(
            "pathway frontier: a heat pump's or shed load's CFE term moves with the target; "
            "rebuilding"
        )
        return [_pathway_point(study, f, options, years) for f in factors]
    lp = HighsLp(built.model)
    periods = sum(c.problem.periods for c in b.cases)
    cold, warm = choose_settings(options, periods), warm_settings(options, periods)
    rows = []
    for c in b.cases:
        assert c.cfe is not None
        rows.append((c.cfe.row, c.cfe.total_load_mwh, c.problem.carbon.cfe_target))
    points: list[PathwayPoint] = []
    solved = False
    for f in factors:
        targets: dict[str, float | None] = {}
        for y, (row, total, x) in zip(years, rows, strict=True):
            t = None if x is None else min(1.0, x * f)
            targets[y] = t
            lp.set_row_upper(row, float("inf") if t is None else (1.0 - t) * total)
        status = lp.solve(warm if solved else cold)
        pt = PathwayPoint(
            cfe_scale=f,
            status=status if status != "unbounded" else "error",
            targets=targets,
            solve_seconds=lp.solve_seconds,
        )
        if status == "optimal":
            solved = True
            summary, _ = extract(built, lp)
            _fill_pathway(pt, summary, years)
        elif status == "infeasible":
            pt.message = "the scaled CFE path cannot be met"
        points.append(pt)
        log.info("pathway frontier f = %g: %s in %.2f s", f, status, lp.solve_seconds)
    return points
