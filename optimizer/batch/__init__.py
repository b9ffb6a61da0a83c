"""Batch runs of many scenarios (CONTRACT section 7): locally or on a Dask cluster.

``run_batch(sweep, out_dir, workers=..., scheduler=...) -> pandas.DataFrame`` is the library
entry point; ``dcopt batch`` and the API call it. See docs/batch.md.
"""

from optimizer.batch.runner import (
    BatchInterrupted,
    BatchPlan,
    plan_batch,
    read_finished,
    run_batch,
    run_plan,
)
from optimizer.batch.sweep import CaseSpec, Sweep, read_sweep, sweep_from_mapping

__all__ = [
    "BatchInterrupted",
    "BatchPlan",
    "CaseSpec",
    "Sweep",
    "plan_batch",
    "read_finished",
    "read_sweep",
    "run_batch",
    "run_plan",
    "sweep_from_mapping",
]
