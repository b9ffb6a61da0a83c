"""Benchmark: screening a 3-year pathway (CONTRACT section 10) against the full pathway.

The bundled Greensboro example with ``horizon: {years: [2027, 2028, 2029]}``: the CFE
target rising 0.85 → 0.90 → 0.95 and the IT load 200 → 230 → 260 MW (the example's own
15 %/year growth, rounded), each year on the example's base weather and grid series. Prints
the full pathway's present value and first-year capacities, then for each days-a-month
setting the screening's, their differences and the speed-up (both timed in this process
from ``load_problem`` to the answer, the full solve first).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_screening_pathway.py --days 3,6,12
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

YEARS = [
    {"year": 2027, "set": {"carbon.cfe_target": 0.85}},
    {
        "year": 2028,
        "set": {"carbon.cfe_target": 0.90, "load.mw.datacenter.it_capacity_mw": 230},
    },
    {
        "year": 2029,
        "set": {"carbon.cfe_target": 0.95, "load.mw.datacenter.it_capacity_mw": 260},
    },
]


def pathway_scenario(tmp: Path, base: str | None = None) -> Path:
    """The example (or ``base``: only the CFE target rises) with the 3-year horizon."""
    from optimizer.examples import write_example

    years: list[dict[str, Any]] = YEARS
    if base is None:
        write_example("greensboro", tmp / "ex")
        path = tmp / "ex" / "scenario.yaml"
    else:
        path = Path(base).resolve()
        years = [
            {"year": y["year"], "set": {"carbon.cfe_target": y["set"]["carbon.cfe_target"]}}
            for y in YEARS
        ]
    raw = yaml.safe_load(path.read_text())
    raw["horizon"] = {"years": years}
    if base is not None:
        raw["series"]["file"] = str(path.parent / raw["series"]["file"])
    out = path.parent / "pathway.yaml" if base is None else tmp / "pathway.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False))
    return out


def first_year(summary: dict[str, Any]) -> dict[str, float]:
    years = summary["years"]
    first = years[min(years)]
    caps = dict(first["capacity_mw"])
    caps.update({f"{k} MWh": v for k, v in (first.get("storage_mwh") or {}).items()})
    return caps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--days", default="3,6,12")
    ap.add_argument("--base", default=None, help="another base scenario (default: the example)")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    from optimizer.scenario import load_problem
    from optimizer.screening import solve_screening
    from optimizer.solve import solve

    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = pathway_scenario(Path(tmp), args.base)
        t0 = time.perf_counter()
        full = solve(load_problem(path))
        full_s = time.perf_counter() - t0
        fcap = first_year(full.summary)
        print(f"full pathway: present value {full.objective:.0f} in {full_s:.1f} s")
        print("first year: " + ", ".join(f"{k} {v:.1f}" for k, v in fcap.items()))
        names = [k for k in fcap if abs(fcap[k]) > 1e-6]
        print(
            "| days a month | present value | error | speed-up | stated | "
            + " | ".join(f"{k} (full {fcap[k]:.1f})" for k in names)
            + " |"
        )
        print("| --- " * (5 + len(names)) + "|")
        for n in [int(x) for x in args.days.split(",")]:
            t0 = time.perf_counter()
            s = solve_screening(load_problem(path), days_per_month=n)
            sec = time.perf_counter() - t0
            err = (s.objective or 0.0) / full.objective - 1.0
            scap = first_year(s.summary)
            cells = [f"{scap.get(k, 0.0):.1f} ({scap.get(k, 0.0) - fcap[k]:+.1f})" for k in names]
            print(
                f"| {n} | {s.objective:.0f} | {100 * err:+.2f} % | {full_s / sec:.1f}x "
                f"| {100 * s.summary['screening']['expected_objective_error']:.1f} % | "
                + " | ".join(cells)
                + " |",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
