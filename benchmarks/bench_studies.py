"""Studies on typical days (issues 14, 15): LP size, density, HiGHS iterations and time.

    PYTHONPATH=. python benchmarks/bench_studies.py STUDY.yaml [--set k=v ...] [--compare]
        [--algorithm hipo] [--full]

STUDY.yaml is a study (``uncertainty:`` scenarios or ``horizon:`` years), e.g. the 10 spot
scenarios of the Greensboro example (docs/performance.md, "Studies"). It is solved on
typical days (``--screening``'s LP, ``--days-per-month``, default 3 as in the
measurements of docs/performance.md) unless ``--full``. Prints the LP's rows,
columns and nonzeros, its densest column and row, the build and solve seconds, HiGHS's
iterations and the objective, with the 1-minute load average before and after.

``--compare`` solves it twice in this process, with the CVaR rows holding the whole case
cost and then without the cost every scenario shares (optimizer/model/risk.py), and prints
the ratio of the solve times and of the interior point iterations.

``--decompose`` solves the typical days by decomposition instead (what ``dcopt run
--screening`` does on a large scenario set, over its scenarios, or on a pathway, over its
years) and prints its wall time, objective and ``solver`` block (iterations, cuts, gap,
seconds by phase); without it the screening's DE is solved, whatever its size, for the
LP's statistics. ``--versus`` does both in one run, the decomposition first, and prints
the ratio of their wall times and the relative difference of their objectives:

    PYTHONPATH=. python benchmarks/bench_studies.py pw/scenario.yaml --versus

Without STUDY it makes the 10-year pathway of the bundled example (2027–2036, the
example's own data every year; docs/performance.md, "Pathway by years") in a temporary
folder and runs ``--versus`` on it (what ``benchmarks/run_all.py`` does).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from optimizer.model import risk
from optimizer.options import SolveOptions
from optimizer.scenario import load_problem


@contextmanager
def whole_cost_rows() -> Iterator[None]:
    """The CVaR rows with the whole C_s (the formulation before the shared cost was taken out)."""
    saved = risk.shared_cost
    risk.shared_cost = lambda costs: {}  # type: ignore[assignment]
    try:
        yield
    finally:
        risk.shared_cost = saved


def _density(lp: Any) -> tuple[int, str, int, str]:
    m = lp.h.getLp()
    start = np.asarray(m.a_matrix_.start_)
    index = np.asarray(m.a_matrix_.index_)
    per_col = np.diff(start)
    per_row = np.bincount(index, minlength=lp.num_rows)
    j, i = int(per_col.argmax()), int(per_row.argmax())
    return int(per_col[j]), lp.columns[j].name, int(per_row[i]), lp.row_cons[i].name


def run_decomposed(
    path: str, overrides: list[str], options: SolveOptions, days: int = 3
) -> dict[str, Any]:
    """The typical days by scenario decomposition: wall seconds, objective, solver block."""
    from optimizer.screening import solve_screening

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    problem = load_problem(path, overrides=overrides)
    s = solve_screening(problem, days, options=options, decompose=True)
    return {
        "wall": time.perf_counter() - t0,
        "objective": s.summary.get("objective"),
        "solver": s.summary.get("solver"),
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def run(
    path: str, overrides: list[str], options: SolveOptions, full: bool, days: int = 3
) -> dict[str, Any]:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    problem = load_problem(path, overrides=overrides)
    if full:
        from optimizer.solve import solve

        r = solve(problem, options=options)
        lp, summary = r.lp, r.summary
    else:
        from optimizer.screening import solve_screening

        s = solve_screening(problem, days, options=options, decompose=False)
        lp, summary = s.lp, s.summary
    assert lp is not None
    wall = time.perf_counter() - t0
    col_n, col, row_n, row = _density(lp)
    rec = lp.record
    return {
        "rows": lp.num_rows,
        "cols": lp.num_cols,
        "nnz": len(lp.h.getLp().a_matrix_.index_),
        "densest_col": f"{col} ({col_n})",
        "densest_row": f"{row} ({row_n})",
        "wall": wall,
        "solve": lp.solve_seconds,
        "algorithm": rec.algorithm if rec else None,
        "ipm_iterations": rec.ipm_iterations if rec else None,
        "crossover_iterations": rec.crossover_iterations if rec else None,
        "objective": summary.get("objective"),
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def _print(label: str, r: dict[str, Any]) -> None:
    print(f"{label}:")
    for k, v in r.items():
        print(f"  {k:<22}{v:.6g}" if isinstance(v, float) else f"  {k:<22}{v}")


def ten_year_pathway(folder: str) -> str:
    """The bundled example with ``horizon: years 2027–2036``, written into ``folder``."""
    from pathlib import Path

    import yaml

    from optimizer.examples import write_example

    write_example("greensboro", Path(folder) / "ex")
    path = Path(folder) / "ex" / "scenario.yaml"
    raw = yaml.safe_load(path.read_text())
    raw["horizon"] = {"years": [{"year": y} for y in range(2027, 2037)]}
    out = path.parent / "pathway.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return str(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("study", nargs="?", default=None)
    ap.add_argument("--set", action="append", default=[], dest="overrides")
    ap.add_argument("--algorithm", default="auto")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--full", action="store_true", help="the full horizon, not typical days")
    ap.add_argument("--compare", action="store_true", help="whole-cost CVaR rows vs K out")
    ap.add_argument("--days-per-month", type=int, default=3, dest="days")
    ap.add_argument("--decompose", action="store_true", help="decomposition")
    ap.add_argument("--versus", action="store_true", help="decomposition, then the one LP")
    a = ap.parse_args()
    if a.study is None:
        import tempfile

        a.study = ten_year_pathway(tempfile.mkdtemp(prefix="dcopt-bench-"))
        a.versus = True
    options = SolveOptions(algorithm=a.algorithm, threads=a.threads)
    print(f"cores {os.cpu_count()}, load {os.getloadavg()}")
    if a.decompose or a.versus:
        d = run_decomposed(a.study, a.overrides, options, a.days)
        _print(a.study + " (decomposed)", d)
        if not a.versus:
            return
        w = run(a.study, a.overrides, options, False, a.days)
        _print(a.study + " (one LP)", w)
        print(f"decomposed / one LP wall: {d['wall'] / w['wall']:.3f}")
        print(
            f"objective: (decomposed − one LP) / one LP = "
            f"{(d['objective'] - w['objective']) / abs(w['objective']):.2e}"
        )
        return
    if not a.compare:
        _print(a.study, run(a.study, a.overrides, options, a.full, a.days))
        return
    with whole_cost_rows():
        before = run(a.study, a.overrides, options, a.full, a.days)
    _print("CVaR rows with the whole C_s", before)
    after = run(a.study, a.overrides, options, a.full, a.days)
    _print("CVaR rows without the shared cost K", after)
    print(
        f"solve ratio after/before {after['solve'] / before['solve']:.3f}; "
        f"IPM iterations {after['ipm_iterations']} vs {before['ipm_iterations']}; "
        f"objective difference {abs(after['objective'] - before['objective']):.3g}"
    )


if __name__ == "__main__":
    main()
