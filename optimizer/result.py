"""What a solve produced (:class:`Result`), in a module without Pyomo or HiGHS: a result
sent to another process (the report process, :meth:`Result.portable`) is unpickled there
without importing the solver stack (0.4 s of a week-long run's report)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from optimizer.model.flows import FlowIndex
from optimizer.scenario import Problem
from optimizer.scenario.cases import Study

if TYPE_CHECKING:
    from optimizer.model import BuiltModel
    from optimizer.model.highs import HighsLp

RunStatus = Literal["optimal", "infeasible", "time_limit", "error"]


@dataclass
class Result:
    """What a solve produced. ``summary`` is CONTRACT section 5's summary.json."""

    status: RunStatus
    summary: dict[str, Any]
    dispatch: pd.DataFrame | None
    problem: Problem
    """The base case's data (the scenario as given; the first year of a pathway)."""
    message: str = ""
    diagnosis: dict[str, Any] = field(default_factory=dict)
    built: BuiltModel | None = None
    lp: HighsLp | None = None
    study: Study | None = None
    """All cases (scenarios or years); None for a plain run built from a Problem."""
    flow_index: FlowIndex | None = None
    """The flows when ``built`` is not kept (a copy sent to another process: see
    :meth:`portable`)."""

    @property
    def flows(self) -> FlowIndex:
        """The typed flows of the dispatch table (kind, asset), in column order."""
        if self.built is not None:
            return self.built.builder.flow_index
        return self.flow_index if self.flow_index is not None else FlowIndex()

    def portable(self) -> Result:
        """This result without the Pyomo model and the HiGHS object (which do not pickle),
        keeping its flows: what the report and the writers need, for another process."""
        return replace(self, built=None, lp=None, flow_index=self.flows)

    @property
    def objective(self) -> float | None:
        v = self.summary.get("objective")
        return float(v) if v is not None else None
