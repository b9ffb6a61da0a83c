"""Run every benchmark script in this folder (``bench_*.py``), one after the other.

    .venv/bin/python benchmarks/run_all.py            # all of them
    .venv/bin/python benchmarks/run_all.py fullyear   # those whose name contains a word

Each script prints its own ratios and the machine's load; this runner prints a header per
script, its wall time, and exits non-zero if any script failed.

The one command for issue 12's headline numbers (dcopt run wall, best HiGHS algorithm on
dcopt's MPS, their ratio, build share, peak memory; year-cfe90 and the bundled example;
``--15min`` adds the 15-minute year) is ``bench_fullyear.py``; ``bench_cli.py`` gives the
fixed costs of a command, ``bench_batch.py`` the batch scaling.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    words = sys.argv[1:]
    scripts = sorted(
        p for p in HERE.glob("bench_*.py") if not words or any(w in p.name for w in words)
    )
    failed: list[str] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)])
        print(f"=== {script.name}: exit {rc} in {time.perf_counter() - t0:.0f} s ===", flush=True)
        if rc != 0:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
