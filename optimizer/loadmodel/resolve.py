"""Resolving ``load.mw: {datacenter: {...}}`` of a scenario into load and IT load arrays."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from optimizer.errors import FieldError, ScenarioError
from optimizer.loadmodel.model import datacenter_load
from optimizer.loadmodel.spec import DatacenterLoadSpec

if TYPE_CHECKING:
    from optimizer.profiles.build import WeatherContext

FIELD = "load.mw.datacenter"

ColumnGetter = Callable[..., np.ndarray]
"""``_Resolver.array(value, field, lo=, hi=, what=)`` of the scenario resolver."""


def load_from_model(
    spec: DatacenterLoadSpec,
    weather: WeatherContext,
    column: ColumnGetter,
    errors: list[FieldError],
) -> tuple[np.ndarray, np.ndarray]:
    """(site load MW, IT load MW) in every step; problems are appended to ``errors``."""
    time = weather.time
    field = f"{FIELD}.temperature_c"
    if spec.temperature_c is None:
        try:
            temp = weather.temperature_c(field)
        except ScenarioError as exc:
            errors.extend(exc.errors)
            temp = np.zeros(time.periods)
    else:
        temp = column(spec.temperature_c, field, lo=-90.0, hi=70.0, what="temperature °C")
    frame = datacenter_load(spec, time.index, temp)
    return frame["load_mw"].to_numpy(), frame["it_load_mw"].to_numpy()
