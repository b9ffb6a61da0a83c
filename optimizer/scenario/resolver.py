"""The resolver of number-or-column fields, shared by every part of the resolution."""

from __future__ import annotations

import numpy as np

from optimizer.errors import FieldError, ScenarioError
from optimizer.profiles.build import WeatherContext
from optimizer.profiles.spec import SolarProfile, WindProfile
from optimizer.scenario.schema import (
    TouPrice,
)
from optimizer.scenario.series import SeriesTable
from optimizer.scenario.timeindex import TimeGrid
from optimizer.units.base import crf as crf
from optimizer.units.battery import BatteryData as BatteryData
from optimizer.units.generator import GeneratorData as GeneratorData
from optimizer.units.renewable import RenewableData as RenewableData


class _Resolver:
    """Resolves number-or-column fields, collecting every error before raising."""

    def __init__(
        self,
        series: SeriesTable | None,
        periods: int,
        weather: WeatherContext | None = None,
        dt: float = 1.0,
    ) -> None:
        self.series = series
        self.periods = periods
        self.dt = dt
        self.weather = weather
        self.errors: list[FieldError] = []

    def array(
        self,
        value: float | str | SolarProfile | WindProfile,
        field_name: str,
        lo: float | None = None,
        hi: float | None = None,
        what: str = "",
    ) -> np.ndarray:
        if isinstance(value, (SolarProfile, WindProfile)):
            try:
                if self.weather is None:
                    raise ScenarioError.single(
                        field_name, "weather-derived values need a time grid"
                    )
                return self.weather.profile(value, field_name)
            except ScenarioError as exc:
                self.errors.extend(exc.errors)
                return np.zeros(self.periods)
        if isinstance(value, str):
            if self.series is None:
                self.errors.append(
                    FieldError(field_name, f"names column {value!r} but the scenario has no series")
                )
                return np.zeros(self.periods)
            if not self.series.has(value):
                cols = sorted(self.series.frame.columns)
                self.errors.append(
                    FieldError(
                        field_name, f"column {value!r} is not in {self.series.source} (has {cols})"
                    )
                )
                return np.zeros(self.periods)
            try:
                arr = self.series.numeric(value, field_name)
            except ScenarioError as exc:
                self.errors.extend(exc.errors)
                return np.zeros(self.periods)
            label = self.series.label
        else:
            if not np.isfinite(value):
                self.errors.append(FieldError(field_name, f"{value} is not a finite number"))
                return np.zeros(self.periods)
            arr = np.full(self.periods, float(value))
            label = None
        for bound, bad in (
            (lo, arr < lo if lo is not None else None),
            (hi, arr > hi if hi is not None else None),
        ):
            if bound is None or bad is None or not bad.any():
                continue
            i = int(np.argmax(bad))
            side = "below" if bound == lo else "above"
            src = f"column {value!r}: " if isinstance(value, str) else ""
            self.errors.append(
                FieldError(
                    field_name,
                    f"{src}{what or 'value'} {arr[i]:g} is {side} {bound:g}",
                    row=i + 1 if label is not None else None,
                    timestamp=label(i) if label is not None else None,
                )
            )
            break
        return arr


def tou_prices(tou: TouPrice, time: TimeGrid, field_name: str) -> np.ndarray:
    """First matching block sets each step's price; a step no block matches is an error."""
    price = np.full(time.periods, np.nan)
    unset = np.ones(time.periods, dtype=bool)
    for block in tou.tou:
        match = unset.copy()
        if block.months is not None:
            match &= np.isin(time.month, block.months)
        if block.weekdays is not None:
            match &= np.isin(time.weekday, block.weekdays)
        if block.hours is not None:
            match &= np.isin(time.hour, block.hours)
        price[match] = block.price_per_mwh
        unset &= ~match
    if unset.any():
        i = int(np.argmax(unset))
        ts = time.index[i]
        raise ScenarioError(
            FieldError(
                field_name,
                f"no TOU block covers this step (month {ts.month}, weekday {ts.weekday()}, "
                f"hour {ts.hour}); add a last block without months/weekdays/hours as a default",
                row=i + 1,
                timestamp=ts.isoformat(),
            )
        )
    return price
