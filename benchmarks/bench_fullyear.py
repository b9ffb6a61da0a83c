"""Benchmark: full-year solves — `dcopt run` wall time against HiGHS on dcopt's own LP.

One command for issue 12's numbers. Cases: the acceptance case year-cfe90 and the bundled
example (``dcopt example greensboro``, skipped with a reason if that command fails); with
``--15min`` also a 15-minute full year (35,040 steps, year-cfe90 with each hourly row
repeated 4 times; minutes per solve).

For each case, each step in a fresh process: dcopt's LP (model build + matrix, no solve)
is written as MPS with highspy's ``writeModel``; ``dcopt run SCENARIO --out DIR`` runs and
its wall time is taken from outside the process (interpreter start, imports, reading,
build, solve, results, report.html: what a user waits for), with its peak memory
(``ru_maxrss``) and ``summary.json``'s build and solve seconds and solver; then HiGHS
solves the MPS with each algorithm (HiPO and IPX with and without crossover, dual simplex,
PDLP; ``NAME@T`` on T threads, default all cores). Printed: dcopt wall, the best HiGHS
algorithm and its seconds, the ratio ``dcopt wall / best HiGHS`` (goal ≤ 1.15), the build's
share of the wall time and the peak memory.

``--sizes 168,1440,4380`` instead times the algorithms on year-cfe90 cut to those step
counts: the measurements behind ``auto``'s choice (optimizer/options.py).

    .venv/bin/python benchmarks/bench_fullyear.py                   # year-cfe90 + example
    .venv/bin/python benchmarks/bench_fullyear.py --15min           # and the 15-minute year
    .venv/bin/python benchmarks/bench_fullyear.py --cases year --repeat 2
    .venv/bin/python benchmarks/bench_fullyear.py --sizes 168,720,1440,2184,4380
    .venv/bin/python benchmarks/bench_fullyear.py --cases year --screening
    .venv/bin/python benchmarks/bench_fullyear.py --src /tmp/before  # an older tree's code

The machine's load average is printed before and after: on a shared machine compare the
ratios measured in one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
YEAR = ROOT / "tests" / "acceptance" / "year-cfe90" / "scenario.yaml"
ALGORITHMS: dict[str, dict[str, Any]] = {
    "hipo": {"solver": "hipo", "run_crossover": "off"},
    "hipo+crossover": {"solver": "hipo", "run_crossover": "on"},
    "ipx": {"solver": "ipx", "run_crossover": "off"},
    "ipx+crossover": {"solver": "ipx", "run_crossover": "on"},
    "simplex": {"solver": "simplex"},
    "pdlp": {"solver": "pdlp"},
}
"""HiGHS settings by name; ``NAME@T`` runs NAME on T threads (e.g. ``hipo+crossover@1``)."""


# -- children --------------------------------------------------------------------------------
def child_solve(scenario: str, mps: str | None, screening: bool) -> dict[str, Any]:
    t0 = time.perf_counter()
    from optimizer.scenario import load_problem

    problem = load_problem(scenario)
    if screening:
        from optimizer.screening import solve_screening

        t1 = time.perf_counter()
        s = solve_screening(problem)
        total = time.perf_counter() - t0
        return {
            "status": s.status,
            "objective": s.objective,
            "total_seconds": total,
            "solve_seconds": s.summary["solve_seconds"],
            "screening_seconds": time.perf_counter() - t1,
            "steps": s.summary["screening"]["steps"],
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    from optimizer.solve import solve

    result = solve(problem)
    total = time.perf_counter() - t0
    s = result.summary
    out = {
        "status": result.status,
        "objective": result.objective,
        "build_seconds": s["build_seconds"],
        "solve_seconds": s["solve_seconds"],
        "total_seconds": total,
        "steps": problem.periods,
        "rows": s["solver"]["rows"],
        "columns": s["solver"]["columns"],
        "algorithm": s["solver"]["algorithm"],
        "crossover": s["solver"].get("crossover"),
        "cfe_shadow_per_mwh": s.get("shadow_prices", {}).get("cfe_per_mwh"),
        "marginal_price_mean": (s.get("marginal_price_per_mwh") or {}).get("mean"),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if mps and result.lp is not None:
        result.lp.write_mps(mps)
    return out


def child_compile(scenario: str) -> dict[str, Any]:
    """The model build, then both compilers on the same model (Pyomo's first use included)."""
    from optimizer.model import build_model
    from optimizer.model.compiler import compile_model
    from optimizer.scenario import load_problem

    built = build_model(load_problem(scenario))
    t0 = time.perf_counter()
    form = compile_model(built.model)
    ours = time.perf_counter() - t0
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

    t0 = time.perf_counter()
    LinearStandardFormCompiler().write(built.model, mixed_form=True)
    pyomo_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    LinearStandardFormCompiler().write(built.model, mixed_form=True)
    pyomo_again = time.perf_counter() - t0
    return {
        "status": "optimal",
        "build_model_seconds": built.build_seconds,
        "dcopt_compile_seconds": ours,
        "pyomo_compile_first_seconds": pyomo_first,
        "pyomo_compile_again_seconds": pyomo_again,
        "rows": len(form.rows),
    }


def child_highs(mps: str, algorithm: str, time_limit: float) -> dict[str, Any]:
    import highspy

    name, _, threads = algorithm.partition("@")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    for k, v in ALGORITHMS[name].items():
        h.setOptionValue(k, v)
    h.setOptionValue("threads", int(threads) if threads else _cores())
    h.setOptionValue("time_limit", float(time_limit))
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    return {
        "algorithm": algorithm,
        "status": status,
        "seconds": seconds,
        "objective": info.objective_function_value,
        "ipm_iterations": info.ipm_iteration_count,
        "crossover_iterations": info.crossover_iteration_count,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def child_mps(scenario: str, mps: str) -> dict[str, Any]:
    """dcopt's LP of ``scenario`` (model build and matrix, no solve) written as MPS."""
    from optimizer.model import build_model
    from optimizer.model.highs import HighsLp
    from optimizer.scenario import load_problem

    problem = load_problem(scenario)
    lp = HighsLp(build_model(problem).model)
    lp.write_mps(mps)
    return {"status": "optimal", "rows": lp.num_rows, "columns": lp.num_cols}


def child_cli(scenario: str, out: str) -> dict[str, Any]:
    """``dcopt run SCENARIO --out OUT`` in this process, through the ``dcopt`` script's
    entry point (:mod:`optimizer.launch`); its peak memory and summary."""
    from optimizer.launch import main

    sys.argv = ["dcopt", "run", scenario, "--out", out]
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the table; the JSON line goes last)
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    summary = json.loads((Path(out) / "summary.json").read_text())
    return {
        "status": summary.get("status") if code == 0 else f"exit {code}",
        "objective": summary.get("objective"),
        "build_seconds": summary.get("build_seconds"),
        "solve_seconds": summary.get("solve_seconds"),
        "solver": summary.get("solver"),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(args: list[str], src: str | None) -> dict[str, Any]:
    """Run ``--child ARGS`` in a fresh process; its JSON line plus ``wall_seconds`` (the
    whole process: interpreter start, imports, work)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"status": "failed", "error": proc.stderr.strip().splitlines()[-1:]}
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_seconds"] = wall
    return out


# -- cases -----------------------------------------------------------------------------------
def make_quarter_hour(folder: Path) -> Path:
    """year-cfe90 at 15 minutes: every hourly row repeated 4 times (same MW, same prices)."""
    import pandas as pd
    import yaml

    raw = yaml.safe_load(YEAR.read_text())
    df = pd.read_csv(YEAR.parent / "profiles.csv")
    df = df.loc[df.index.repeat(4)].reset_index(drop=True)
    ts = pd.date_range(raw["site"]["start"], periods=len(df), freq="15min")
    df["timestamp"] = ts.strftime("%Y-%m-%dT%H:%M")
    df.to_csv(folder / "profiles.csv", index=False)
    raw["name"] = "year-cfe90-15min"
    raw["site"]["periods"] = len(df)
    raw["site"]["resolution_minutes"] = 15
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def make_cut(folder: Path, periods: int) -> Path:
    """The first ``periods`` hourly steps of year-cfe90 (scenario and series cut together)."""
    import pandas as pd
    import yaml

    raw = yaml.safe_load(YEAR.read_text())
    df = pd.read_csv(YEAR.parent / "profiles.csv").iloc[:periods]
    folder.mkdir(parents=True, exist_ok=True)
    df.to_csv(folder / "profiles.csv", index=False)
    raw["name"] = f"year-cfe90-first-{periods}"
    raw["site"]["periods"] = periods
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def make_example(folder: Path) -> tuple[Path | None, str]:
    dcopt = Path(sys.executable).with_name("dcopt")
    cmd = [str(dcopt), "example", "greensboro", "--out", str(folder / "greensboro")]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        return None, f"dcopt example failed: {exc}"
    path = folder / "greensboro" / "scenario.yaml"
    if proc.returncode != 0 or not path.is_file():
        return None, f"`dcopt example greensboro` exited {proc.returncode}: {proc.stderr[-200:]}"
    return path, ""


# -- main ------------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", default="year,example", help="comma list of year,example,15min")
    ap.add_argument(
        "--15min",
        dest="quarter_hour",
        action="store_true",
        help="add the 15-minute year (35,040 steps; minutes per solve)",
    )
    ap.add_argument(
        "--algorithms",
        default="hipo+crossover,hipo,ipx+crossover,simplex",
        help="HiGHS algorithms on year-cfe90's MPS (names in ALGORITHMS, NAME@THREADS)",
    )
    ap.add_argument("--algorithms-15min", default="hipo+crossover", help="the same at 15 min")
    ap.add_argument(
        "--algorithms-other", default="hipo+crossover,hipo,ipx+crossover", help="on the example"
    )
    ap.add_argument(
        "--sizes",
        default=None,
        help="instead of the cases: year-cfe90 cut to these step counts (e.g. 168,1440,8760), "
        "each algorithm of --algorithms-sizes on each (the data behind auto's choice)",
    )
    ap.add_argument("--algorithms-sizes", default="simplex,hipo+crossover,ipx+crossover")
    ap.add_argument("--time-limit", type=float, default=600.0, help="per HiGHS algorithm run, s")
    ap.add_argument(
        "--repeat", type=int, default=1, help="interleaved repeats per case (min is kept)"
    )
    ap.add_argument("--screening", action="store_true", help="also time screening mode")
    ap.add_argument(
        "--compile", action="store_true", help="also time both matrix compilers on year-cfe90"
    )
    ap.add_argument("--src", default=None, help="PYTHONPATH of the dcopt code to measure")
    ap.add_argument("--json", default=None, help="write the measurements here")
    ap.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child is not None:
        kind, *rest = args.child
        if kind == "solve":
            res = child_solve(rest[0], rest[1] or None, rest[2] == "1")
        elif kind == "compile":
            res = child_compile(rest[0])
        elif kind == "mps":
            res = child_mps(rest[0], rest[1])
        elif kind == "cli":
            res = child_cli(rest[0], rest[1])
        else:
            res = child_highs(rest[0], rest[1], float(rest[2]))
        print(json.dumps(res))
        return

    print(
        f"load average before: {os.getloadavg()}; {_cores()} cores (shared: compare ratios)",
        flush=True,
    )
    results: dict[str, Any] = {"load_before": os.getloadavg(), "cases": {}}
    with tempfile.TemporaryDirectory(prefix="dcopt-bench-") as tmp:
        folder = Path(tmp)
        if args.sizes:
            results["sizes"] = run_sizes(args, folder)
            results["load_after"] = os.getloadavg()
            print(f"load average after: {os.getloadavg()}")
            if args.json:
                Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")
            return
        cases: list[tuple[str, Path]] = []
        names = args.cases.split(",") + (["15min"] if args.quarter_hour else [])
        for name in dict.fromkeys(names):
            if name == "year":
                cases.append(("year-cfe90", YEAR))
            elif name == "15min":
                (folder / "q").mkdir()
                cases.append(("year-cfe90-15min", make_quarter_hour(folder / "q")))
            elif name == "example":
                path, why = make_example(folder)
                if path is None:
                    print(f"skipping the bundled example: {why}")
                else:
                    cases.append(("greensboro", path))
        rows: list[dict[str, Any]] = []
        for name, path in cases:
            mps = str(folder / f"{name}.mps")
            made = run_child(["mps", str(path), mps], args.src)
            if made.get("status") != "optimal":
                print(f"{name}: writing the MPS failed: {made}")
                continue
            algos = {"year-cfe90": args.algorithms, "year-cfe90-15min": args.algorithms_15min}.get(
                name, args.algorithms_other
            )
            names = [a for a in algos.split(",") if a.partition("@")[0] in ALGORITHMS]
            # Interleaved repeats (dcopt, then each algorithm, again and again), keeping each
            # one's fastest run: on a shared machine the load drifts within minutes.
            runs: list[dict[str, Any]] = []
            tries: dict[str, list[dict[str, Any]]] = {a: [] for a in names}
            for k in range(args.repeat):
                out = str(folder / f"{name}-out-{k}")
                runs.append(run_child(["cli", str(path), out], args.src))
                for a in names:
                    tries[a].append(run_child(["highs", mps, a, str(args.time_limit)], None))
            ok = [r for r in runs if r.get("status") == "optimal"]
            if not ok:
                print(f"{name}: dcopt failed: {runs[0]}")
                continue
            best = min(ok, key=lambda r: r["wall_seconds"])
            best["all_wall_seconds"] = [r.get("wall_seconds") for r in runs]
            highs = [min(t, key=lambda h: h.get("seconds", float("inf"))) for t in tries.values()]
            done = [h for h in highs if h.get("status") == "Optimal"]
            fastest = min(done, key=lambda h: h["seconds"]) if done else None
            row = {"case": name, **made, **best, "highs": highs, "load": os.getloadavg()}
            if fastest:
                row["best_highs"] = fastest["algorithm"]
                row["best_highs_seconds"] = fastest["seconds"]
                row["ratio"] = best["wall_seconds"] / fastest["seconds"]
            if args.screening:
                scr = run_child(["solve", str(path), "", "1"], args.src)
                row["screening"] = scr
                if scr.get("status") == "optimal":
                    row["screening_speedup"] = best["wall_seconds"] / scr["total_seconds"]
                    row["screening_error"] = (scr["objective"] - best["objective"]) / abs(
                        best["objective"]
                    )
            rows.append(row)
            results["cases"][name] = row
            _print_case(row)
    if args.compile:
        c = run_child(["compile", str(YEAR)], args.src)
        results["compile"] = c
        if "dcopt_compile_seconds" in c:
            print(
                f"year-cfe90 model build {c['build_model_seconds']:.2f} s; matrix compile: dcopt "
                f"{c['dcopt_compile_seconds']:.2f} s, Pyomo standard form "
                f"{c['pyomo_compile_first_seconds']:.2f} s first use (its scipy import), "
                f"{c['pyomo_compile_again_seconds']:.2f} s again"
            )
    results["load_after"] = os.getloadavg()
    print()
    _print_table(rows)
    print(f"load average after: {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str) + "\n")


def run_sizes(args: argparse.Namespace, folder: Path) -> list[dict[str, Any]]:
    """Each algorithm on year-cfe90 cut to each size, interleaved; a table of seconds."""
    sizes = [int(x) for x in args.sizes.split(",")]
    names = [a for a in args.algorithms_sizes.split(",") if a.partition("@")[0] in ALGORITHMS]
    rows: list[dict[str, Any]] = []
    for n in sizes:
        path = make_cut(folder / f"cut-{n}", n)
        mps = str(folder / f"cut-{n}.mps")
        made = run_child(["mps", str(path), mps], args.src)
        row: dict[str, Any] = {"steps": n, "rows": made.get("rows"), "columns": made.get("columns")}
        for _ in range(args.repeat):
            for a in names:
                h = run_child(["highs", mps, a, str(args.time_limit)], None)
                if h.get("status") == "Optimal" and h["seconds"] < row.get(a, float("inf")):
                    row[a] = h["seconds"]
                    row[a + " objective"] = h["objective"]
        row["load"] = os.getloadavg()[0]
        rows.append(row)
        print(
            f"{n} steps ({row['rows']} rows): "
            + ", ".join(f"{a} {row.get(a, float('nan')):.2f} s" for a in names)
            + f"  (load {row['load']:.1f})",
            flush=True,
        )
    print()
    print("| steps | rows | " + " | ".join(f"{a} s" for a in names) + " | fastest |")
    print("| --- " * (len(names) + 3) + "|")
    for r in rows:
        done = {a: r[a] for a in names if a in r}
        fastest = min(done, key=lambda a: done[a]) if done else "-"
        print(
            f"| {r['steps']} | {r['rows']} | "
            + " | ".join(f"{r[a]:.2f}" if a in r else "-" for a in names)
            + f" | {fastest} |"
        )
    return rows


def _print_case(row: dict[str, Any]) -> None:
    solver = row.get("solver") or {}
    print(
        f"{row['case']}: {row['status']} objective {row['objective']:.6f}; `dcopt run` "
        f"{row['wall_seconds']:.1f} s wall (runs {row['all_wall_seconds']}), its solver: "
        f"{solver.get('algorithm')} crossover {solver.get('crossover')} threads "
        f"{solver.get('threads')}, solve {row['solve_seconds']:.1f} s; "
        f"{row['rows']} rows x {row['columns']} columns",
        flush=True,
    )
    for h in row["highs"]:
        if "seconds" in h:
            print(
                f"    HiGHS {h['algorithm']:14s} {h['status']:10s} {h['seconds']:7.1f} s  "
                f"objective {h['objective']:.6f}  peak {h['peak_mb']:.0f} MB"
            )
        else:
            print(f"    HiGHS {h.get('algorithm', '?')}: {h}")
    scr = row.get("screening")
    if scr:
        print(
            f"    screening: {scr.get('status')} objective {scr.get('objective')} in "
            f"{scr.get('total_seconds', float('nan')):.1f} s ({scr.get('steps')} steps), "
            f"speed-up {row.get('screening_speedup', float('nan')):.1f}x, "
            f"error {100 * row.get('screening_error', float('nan')):+.2f} %"
        )


def _print_table(rows: list[dict[str, Any]]) -> None:
    head = (
        "| case | rows | dcopt run wall s | its solver | build s | solve s | build share | "
        "peak MB | best HiGHS on dcopt's MPS | ratio (goal <= 1.15) |"
    )
    print(head)
    print("| --- " * 10 + "|")
    for r in rows:
        sv = r.get("solver") or {}
        print(
            f"| {r['case']} | {r['rows']} | {r['wall_seconds']:.1f} | {sv.get('algorithm')}"
            f"{'+crossover' if sv.get('crossover') else ''} ×{sv.get('threads')} "
            f"| {r['build_seconds']:.2f} | {r['solve_seconds']:.1f} "
            f"| {100 * r['build_seconds'] / r['wall_seconds']:.1f} % "
            f"| {r['peak_mb']:.0f} | {r.get('best_highs', '-')} "
            f"{r.get('best_highs_seconds', float('nan')):.1f} s "
            f"| {r.get('ratio', float('nan')):.2f} |"
        )
    if any("screening_speedup" in r for r in rows):
        print()
        print("| case | screening s | full s | speed-up | objective error |")
        print("| --- | --- | --- | --- | --- |")
        for r in rows:
            if "screening_speedup" in r:
                print(
                    f"| {r['case']} | {r['screening']['total_seconds']:.1f} | "
                    f"{r['wall_seconds']:.1f} | {r['screening_speedup']:.1f}x | "
                    f"{100 * r['screening_error']:+.2f} % |"
                )


if __name__ == "__main__":
    main()
