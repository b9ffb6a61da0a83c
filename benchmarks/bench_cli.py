"""Benchmark: the fixed costs of a `dcopt` command (interpreter start, imports, CLI).

Each command runs in a fresh process, ``--repeat`` times, interleaved across the code trees
given with ``--src`` (e.g. the commit before a change and the working tree), so that load
drift hits all alike; the median wall time of each is printed, and the ratio to the first
tree. Also printed: which heavy libraries (Pyomo, pandas, matplotlib, scipy, highspy) the
command imported, and the import time of the solve stack alone (``-X importtime``, the
top-level modules that cost most).

Goals (issue 12): ``dcopt --help`` ≤ 0.5 s wall; ``dcopt run`` of week-basic ≤ 1.5 s wall
including its report (the report is another engineer's part: this prints the time spent
before the report separately, from ``summary.json``'s build and solve seconds).

With ``--full-year`` the table also has ``dcopt run`` of year-cfe90 and of the bundled
example (``dcopt example greensboro``) and a second table of their fixed seconds: each
run's wall time less its ``summary.json`` solve seconds (interpreter, imports, reading,
build, results, report: what the ratio to HiGHS alone in ``bench_fullyear.py`` pays for).

    .venv/bin/python benchmarks/bench_cli.py
    .venv/bin/python benchmarks/bench_cli.py --src /tmp/before --src . --repeat 5
    .venv/bin/python benchmarks/bench_cli.py --src /tmp/before --src . --full-year --only-full-year
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEEK = ROOT / "tests" / "acceptance" / "week-basic" / "scenario.yaml"
YEAR = ROOT / "tests" / "acceptance" / "year-cfe90" / "scenario.yaml"
HEAVY = ("pyomo", "pandas", "matplotlib", "scipy", "highspy")

_PROBE = """
import json, sys
args, watch = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv = ["dcopt", *args]
import os, optimizer
# the entry point of pyproject.toml; older trees: the command line's main (the editable
# install's finder would else take optimizer.launch from the installed tree)
if os.path.exists(os.path.join(os.path.dirname(optimizer.__file__), "launch.py")):
    from optimizer.launch import main
else:
    from optimizer.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
mods = sorted({m.split(".")[0] for m in sys.modules} & watch)
print("PROBE", json.dumps({"code": code, "heavy": mods}), file=sys.__stderr__)
"""


def _run(src: Path, args: list[str]) -> tuple[float, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)]
    t0 = time.perf_counter()
    # cwd: not a code tree (``python -c`` puts the working folder first on sys.path)
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env, check=False, cwd=tempfile.gettempdir()
    )
    wall = time.perf_counter() - t0
    probe = [x for x in proc.stderr.splitlines() if x.startswith("PROBE ")]
    info: dict[str, object] = json.loads(probe[-1][6:]) if probe else {"code": "crashed"}
    return wall, info


def _import_breakdown(src: Path, module: str) -> list[tuple[float, str]]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=env, check=False, cwd=tempfile.gettempdir()
    )
    top: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 2:
            root = name.strip().split(".")[0]
            top[root] = max(top.get(root, 0.0), int(cumulative) / 1e6)
    return sorted(((v, k) for k, v in top.items()), reverse=True)[:8]


def _full_year_cases(tmp: Path) -> dict[str, Path]:
    """year-cfe90 and the bundled example, written by ``dcopt example`` (left out with a
    line if that fails)."""
    cases = {"year-cfe90": YEAR}
    example = tmp / "example"
    dcopt = str(Path(sys.executable).parent / "dcopt")
    made = subprocess.run(
        [dcopt, "example", "greensboro", "--out", str(example)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if made.returncode == 0 and (example / "scenario.yaml").is_file():
        cases["greensboro"] = example / "scenario.yaml"
    else:
        print(f"the bundled example left out: {made.stderr.strip()[-300:]}")
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--src", action="append", default=None, help="code tree (repeatable)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--full-year", action="store_true", help="also dcopt run of year-cfe90 and the example"
    )
    ap.add_argument(
        "--only-full-year", action="store_true", help="with --full-year: only those runs"
    )
    args = ap.parse_args()
    srcs = [Path(s).resolve() for s in (args.src or [str(ROOT)])]
    print(f"load average before: {os.getloadavg()}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="dcopt-bench-cli-") as tmp:
        commands: dict[str, list[str]] = {}
        if not (args.full_year and args.only_full_year):
            commands = {
                "dcopt --help": ["--help"],
                "dcopt run --help": ["run", "--help"],
                "dcopt validate week-basic": ["validate", str(WEEK)],
                "dcopt run week-basic": ["run", str(WEEK), "--out", str(Path(tmp) / "out")],
            }
        full = _full_year_cases(Path(tmp)) if args.full_year else {}
        for name, scenario in full.items():
            commands[f"dcopt run {name}"] = ["run", str(scenario), "--out", ""]
        walls: dict[tuple[str, Path], list[float]] = {}
        fixed: dict[tuple[str, Path], list[float]] = {}
        heavy: dict[tuple[str, Path], object] = {}
        for r in range(args.repeat):
            for name, cmd in commands.items():
                for k, src in enumerate(srcs):
                    out = Path(tmp) / f"run-{r}-{k}-{len(walls)}"
                    wall, info = _run(src, [str(out) if c == "" else c for c in cmd])
                    walls.setdefault((name, src), []).append(wall)
                    heavy[(name, src)] = info.get("heavy")
                    if (out / "summary.json").is_file():
                        solved = json.loads((out / "summary.json").read_text())
                        fixed.setdefault((name, src), []).append(
                            wall - float(solved.get("solve_seconds", 0.0))
                        )
        print()
        print("| command | " + " | ".join(f"{s} s" for s in srcs) + " | ratio | heavy imports |")
        print("| --- " * (len(srcs) + 3) + "|")
        for name in commands:
            med = [statistics.median(walls[(name, s)]) for s in srcs]
            ratio = med[-1] / med[0] if med[0] else float("nan")
            mods = " / ".join(",".join(heavy[(name, s)] or ["-"]) for s in srcs)  # type: ignore[arg-type]
            print(
                f"| {name} | " + " | ".join(f"{m:.2f}" for m in med) + f" | {ratio:.2f} | {mods} |"
            )
        if full:
            print("\nfixed seconds of a full-year run (wall less summary.json's solve_seconds):")
            print("| command | " + " | ".join(f"{s} s" for s in srcs) + " | difference s |")
            print("| --- " * (len(srcs) + 2) + "|")
            for name in (f"dcopt run {n}" for n in full):
                runs = [fixed.get((name, s), []) for s in srcs]
                med = [statistics.median(x) if x else float("nan") for x in runs]
                shown = " | ".join(
                    f"{m:.2f} ({', '.join(f'{v:.2f}' for v in x)})"
                    for m, x in zip(med, runs, strict=True)
                )
                print(f"| {name} | {shown} | {med[-1] - med[0]:+.2f} |")
        summary = Path(tmp) / "out" / "summary.json"
        if summary.is_file():
            s = json.loads(summary.read_text())
            print(
                f"\nweek-basic, last run: build {s.get('build_seconds', 0):.2f} s, "
                f"solve {s.get('solve_seconds', 0):.2f} s, solver {s.get('solver')}"
            )
    for src in srcs:
        for module in ("optimizer.cli", "optimizer.solve"):
            parts = ", ".join(f"{k} {v:.2f}" for v, k in _import_breakdown(src, module))
            print(f"import {module} ({src}): {parts}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
