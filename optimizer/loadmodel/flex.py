"""Flexible AI compute as a first-class load: training and inference shares of the site load,
each with what it can give (docs/resilience.md, "Flexible compute").

``load.compute`` splits the forecast load ``L[t]`` into three parts:

- training ``TR[t]``: shiftable (deferred work must be made up within ``deadline_hours``,
  running at most ``max_boost_share`` above its forecast) and curtailable at its own cost;
- inference ``INF[t]``: not shiftable, curtailable at its own cost (usually high: users wait);
- the rest ``OT[t] = L[t] − TR[t] − INF[t]`` (storage, networking, offices): curtailable at
  ``load.curtailment_cost_per_mwh`` when given.

With the datacenter load model (``load.mw: {datacenter: ...}``) the parts come from the model,
``TR[t] = C·s·u_tr·growth(t)·PUE(t)`` and ``INF[t] = C·(1 − s)·u_inf(t)·growth(t)·PUE(t)``, so
the cooling follows the compute it serves; otherwise each class gives its ``share`` of the
site load. This module is data only (pydantic schema and numpy resolution, no Pyomo); the
rows are written by :mod:`optimizer.model.flexibility`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from optimizer.errors import FieldError, ScenarioError
from optimizer.loadmodel.model import it_load_mw, pue
from optimizer.loadmodel.spec import DatacenterLoadSpec

if TYPE_CHECKING:
    from optimizer.profiles.build import WeatherContext


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)


class ComputeClass(_Strict):
    """What one class of compute can give up."""

    share: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="share of the site load in every step; default: from the load model "
        "(required without it, for training; inference defaults to the rest)",
    )
    curtailment_cost_per_mwh: float | None = Field(
        default=None,
        ge=0,
        description="value of this compute given up when shed; default: "
        "load.curtailment_cost_per_mwh; neither given = not sheddable",
    )
    max_curtailment_share: float = Field(
        default=1.0, ge=0, le=1, description="share of this class's load that may be shed"
    )


class TrainingFlex(ComputeClass):
    """Training: batch work that may run later, within a deadline."""

    deadline_hours: float = Field(
        default=0.0,
        ge=0,
        le=168,
        description="deferred training work is made up within this many hours (0: no shift)",
    )
    max_shift_share: float = Field(
        default=1.0, ge=0, le=1, description="share of the training load that may be deferred"
    )
    max_boost_share: float | None = Field(
        default=None,
        ge=0,
        le=10,
        description="training may run this share above its forecast to catch up; default: "
        "the load model's idle training capacity (1/training_utilisation − 1), else 0.25",
    )


class InferenceFlex(ComputeClass):
    """Inference: served when asked (not shiftable), curtailable at a price."""


class ComputeFlexibility(_Strict):
    """``load.compute``: the training and inference parts of the load and their flexibility."""

    training: TrainingFlex | None = None
    inference: InferenceFlex | None = None

    @model_validator(mode="after")
    def _shares(self) -> ComputeFlexibility:
        tr = self.training.share if self.training is not None else None
        inf = self.inference.share if self.inference is not None else None
        if tr is not None and inf is not None and tr + inf > 1 + 1e-12:
            raise ValueError(f"training.share + inference.share = {tr + inf:g} is above 1")
        return self


DEFAULT_BOOST_SHARE = 0.25
"""Catch-up headroom of training without the load model (illustrative, docs/resilience.md)."""


@dataclass(frozen=True)
class ShedData:
    """A part of the load that may be shed: ``0 ≤ shed[t] ≤ cap[t]`` at ``cost`` per MWh."""

    name: str
    """"training" | "inference" | "load" (the rest, or the whole load without compute)."""
    cap_mw: np.ndarray
    cost_per_mwh: float


@dataclass(frozen=True)
class TrainingShiftData:
    training_mw: np.ndarray
    """TR[t]."""
    shift_cap_mw: np.ndarray
    """Deferrable MW per step: max_shift_share·TR[t]."""
    boost_cap_mw: np.ndarray
    """Catch-up MW per step: max_boost_share·TR[t]."""
    deadline_steps: int
    """n = ceil(deadline_hours / Δt)."""


@dataclass(frozen=True)
class LoadFlexData:
    """Resolved ``load.compute`` and ``load.curtailment_cost_per_mwh``."""

    training_mw: np.ndarray | None
    inference_mw: np.ndarray | None
    shift: TrainingShiftData | None
    sheds: list[ShedData]


ColumnGetter = Callable[..., np.ndarray]


def model_parts(
    spec: DatacenterLoadSpec, weather: WeatherContext, column: ColumnGetter
) -> tuple[np.ndarray, np.ndarray]:
    """(training, inference) site load in MW from the load model (cooling included)."""
    time = weather.time
    index = time.index
    if spec.temperature_c is None:
        try:
            temp = weather.temperature_c("load.mw.datacenter.temperature_c")
        except ScenarioError:
            temp = np.zeros(time.periods)  # reported by the load resolution already
    else:
        temp = column(spec.temperature_c, "load.mw.datacenter.temperature_c", lo=-90.0, hi=70.0)
    p = pue(spec, temp)
    full = it_load_mw(spec, index)
    train_only = it_load_mw(spec.model_copy(update={"training_share": 1.0}), index)
    tr_it = spec.training_share * train_only
    return tr_it * p, (full - tr_it) * p


def resolve_load_flex(
    load_spec: Any,
    load_mw: np.ndarray,
    dt: float,
    weather: WeatherContext | None,
    column: ColumnGetter,
    errors: list[FieldError],
) -> LoadFlexData | None:
    """``load.compute`` and ``load.curtailment_cost_per_mwh`` → :class:`LoadFlexData`."""
    compute: ComputeFlexibility | None = getattr(load_spec, "compute", None)
    cost: float | None = getattr(load_spec, "curtailment_cost_per_mwh", None)
    max_share: float = getattr(load_spec, "max_curtailment_share", 1.0)
    if compute is None:
        if cost is None:
            return None
        return LoadFlexData(None, None, None, [ShedData("load", max_share * load_mw, cost)])

    from optimizer.loadmodel.spec import DatacenterLoad

    model = load_spec.mw.datacenter if isinstance(load_spec.mw, DatacenterLoad) else None
    tr_cls, inf_cls = compute.training, compute.inference
    model_tr = model_inf = None
    if model is not None and weather is not None:
        model_tr, model_inf = model_parts(model, weather, column)
    training = inference = None
    if tr_cls is not None:
        if tr_cls.share is not None:
            training = tr_cls.share * load_mw
        elif model_tr is not None:
            training = model_tr
        else:
            errors.append(
                FieldError(
                    "load.compute.training.share",
                    "is required when load.mw is not the datacenter load model",
                )
            )
            training = np.zeros_like(load_mw)
    if inf_cls is not None:
        if inf_cls.share is not None:
            inference = inf_cls.share * load_mw
        elif model_inf is not None:
            inference = model_inf
        else:  # the rest of the load after training
            inference = load_mw - (training if training is not None else 0.0)
    used = (training if training is not None else 0.0) + (
        inference if inference is not None else 0.0
    )
    rest = np.clip(load_mw - used, 0.0, None)

    shift = None
    sheds: list[ShedData] = []
    if tr_cls is not None and training is not None:
        if tr_cls.deadline_hours > 0 and tr_cls.max_shift_share > 0:
            boost = tr_cls.max_boost_share
            if boost is None:
                boost = (
                    1.0 / model.training_utilisation - 1.0
                    if model is not None and model.training_utilisation > 0
                    else DEFAULT_BOOST_SHARE
                )
            n = max(1, int(np.ceil(tr_cls.deadline_hours / dt - 1e-9)))
            shift = TrainingShiftData(
                training, tr_cls.max_shift_share * training, boost * training, n
            )
        c = tr_cls.curtailment_cost_per_mwh if tr_cls.curtailment_cost_per_mwh is not None else cost
        if c is not None and tr_cls.max_curtailment_share > 0:
            sheds.append(ShedData("training", tr_cls.max_curtailment_share * training, c))
    if inf_cls is not None and inference is not None:
        c = (
            inf_cls.curtailment_cost_per_mwh
            if inf_cls.curtailment_cost_per_mwh is not None
            else cost
        )
        if c is not None and inf_cls.max_curtailment_share > 0:
            sheds.append(ShedData("inference", inf_cls.max_curtailment_share * inference, c))
    if cost is not None and max_share > 0 and float(rest.max(initial=0.0)) > 0:
        sheds.append(ShedData("load", max_share * rest, cost))
    return LoadFlexData(training, inference, shift, sheds)
