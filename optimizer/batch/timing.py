"""Wall and CPU seconds of the phases of a batch, as the coordinating process sees them.

:func:`~optimizer.batch.plan_batch` and :func:`~optimizer.batch.run_plan` add to
``BatchPlan.phases``; ``benchmarks/bench_batch.py`` reads them to tell the serial part of a
batch (this process only) from the part the workers share. CPU is ``time.process_time``:
every thread of this process (a background import included), not the worker processes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PHASES = (
    "read sweep",
    "pool start",
    "validate",
    "resume check",
    "index and inputs",
    "solve",
    "write cases",
    "pool stop",
    "results table",
    "summary.txt",
    "matplotlib import",
    "summary.png",
)
"""The phases in the order a batch passes them. ``solve``: waiting for cases (in this
process: solving them); ``validate`` and ``solve`` are what local workers share."""


@dataclass
class PhaseTime:
    """Time spent in one phase (summed over its entries)."""

    wall: float = 0.0
    cpu: float = 0.0
    """CPU seconds of this process (all its threads) during the phase."""
    entries: int = 0


class Phases(dict[str, PhaseTime]):
    """Phase name → :class:`PhaseTime`; :meth:`time` adds one entry."""

    @contextmanager
    def time(self, name: str) -> Iterator[None]:
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            t = self.setdefault(name, PhaseTime())
            t.wall += time.perf_counter() - w0
            t.cpu += time.process_time() - c0
            t.entries += 1

    def describe(self) -> str:
        """One line: ``name wall/cpu s`` per phase, in batch order."""
        order = [p for p in PHASES if p in self] + [p for p in self if p not in PHASES]
        return "; ".join(f"{p} {self[p].wall:.3f}/{self[p].cpu:.3f} s" for p in order)
