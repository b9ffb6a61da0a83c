"""Scenario sets for ``uncertainty:`` (CONTRACT section 9), written from one scenario file:
the library behind ``dcopt scenarios``. See docs/risk.md, "Making scenarios".

Each generator reads a base scenario, makes N variants of its data and returns a
:class:`ScenarioSet`: one series file per variant that changes a column (the base's
series with that column replaced: the same columns, the same timestamps, the same file
format), the ``set`` overrides a variant needs, a name and a probability.
:meth:`ScenarioSet.block` is the ``uncertainty:`` block with paths relative to the
scenario file that will hold it.

- :func:`spot_scenarios`: the spot price scaled (``scales``), shifted (``shifts``) or
  multiplied by a named month-by-month shock path (:data:`SHOCKS`, e.g. ``gas-2022``).
- :func:`weather_scenarios`: one scenario per weather file: series columns recomputed as
  solar / wind output or temperature with :func:`optimizer.profiles.weather_profiles`, and
  ``weather.file`` set when the scenario derives profiles from weather itself.
- :func:`load_scenarios`: the load (and the IT load, when known) scaled by ±x %.

A field given as a number becomes a column of the scenario's series file and the variant
sets the field to it; a field given as a column changes that column (every field that names
the column sees the change: an export price at spot follows the spot). A load model
(``load.mw: {datacenter: ...}``) is written as its resolved site load in MW.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from optimizer.errors import ScenarioError
from optimizer.scenario.loader import load_problem, read_scenario_file
from optimizer.scenario.overrides import parse_path
from optimizer.scenario.resolve import Problem

log = logging.getLogger(__name__)

PROBABILITY_TOL = 1e-9
"""Probabilities must sum to 1 within this (CONTRACT 9)."""


# --- named shocks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shock:
    """A month-by-month multiplier path of the spot price and where it comes from."""

    name: str
    monthly_price: tuple[float, ...]
    """The shock year's average price by calendar month, January first (12 values)."""
    reference_price: float
    """The "normal" price the months are divided by."""
    source: str
    assumption: str

    @property
    def multipliers(self) -> tuple[float, ...]:
        return tuple(p / self.reference_price for p in self.monthly_price)

    def path(self, months: np.ndarray, severity: float = 1.0) -> np.ndarray:
        """The multiplier of each step by its local calendar month; ``severity`` scales the
        excess over 1: ``m' = 1 + severity·(m − 1)``."""
        m = np.asarray(self.multipliers)[np.asarray(months, dtype=int) - 1]
        return 1.0 + severity * (m - 1.0)


SHOCKS: dict[str, Shock] = {
    "gas-2022": Shock(
        name="gas-2022",
        monthly_price=(
            167.9,
            128.8,
            252.0,
            165.7,
            177.5,
            218.0,
            315.1,
            465.2,
            355.5,
            158.3,
            178.0,
            252.1,
        ),
        reference_price=37.67,
        source=(
            "monthly averages of the German-Luxembourg day-ahead (EPEX Spot) base price in "
            "2022, EUR/MWh, as published by the Bundesnetzagentur's SMARD.de (rounded to "
            "0.1); reference: the 2019 annual average, 37.67 EUR/MWh, the last year before "
            "COVID-19 and the gas crisis. The mean of the months, 236 EUR/MWh, is close to "
            "the hour-weighted 235 EUR/MWh of FfE, 'German electricity prices on the EPEX "
            "Spot exchange in 2022' (2023)."
        ),
        assumption=(
            "the shock multiplies every step's spot price by its calendar month's 2022/2019 "
            "ratio (3.4 in February to 12.3 in August, 6.2 on average): gas set the "
            "marginal price, so a gas-price shock scales the whole curve; the base's own "
            "hourly and daily shape is kept; the months are calendar months of the site's "
            "local time whatever the year"
        ),
    )
}
"""Named shocks for ``--shock``. Add one here with its source."""


# --- the result -----------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One scenario of the set: its series file (None: the base's series as it is)."""

    name: str
    probability: float
    series: Path | None
    set: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class ScenarioSet:
    base: Path
    """The base scenario file."""
    variants: list[Variant]

    def block(
        self,
        relative_to: Path | None = None,
        alpha: float | None = None,
        weight: float | None = None,
        targets_apply: str | None = None,
    ) -> dict[str, Any]:
        """The ``uncertainty:`` block; series paths relative to the folder of the scenario
        file ``relative_to`` (default: the base scenario's)."""
        folder = (relative_to or self.base).resolve().parent
        scenarios: list[dict[str, Any]] = []
        for v in self.variants:
            entry: dict[str, Any] = {"name": v.name, "probability": v.probability}
            if v.series is not None:
                entry["series"] = {"file": _relative(v.series, folder)}
            if v.set:
                entry["set"] = {
                    k: (_relative(Path(x), folder) if k == "weather.file" and _is_path(x) else x)
                    for k, x in v.set.items()
                }
            scenarios.append(entry)
        out: dict[str, Any] = {"scenarios": scenarios}
        risk = {k: x for k, x in (("alpha", alpha), ("weight", weight)) if x is not None}
        if risk:
            out["risk"] = risk
        if targets_apply is not None:
            out["targets_apply"] = targets_apply
        return {"uncertainty": out}

    def write_snippet(self, path: Path, **risk: Any) -> Path:
        """The ``uncertainty:`` block as YAML, to paste into the base scenario file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        head = (
            f"# uncertainty block for {self.base.name}: paste it into that file (paths are "
            "relative to its folder)\n"
        )
        path.write_text(head + _dump(self.block(None, **risk)), encoding="utf-8")
        return path

    def write_scenario(self, path: Path, **risk: Any) -> Path:
        """A copy of the base scenario with this block (any earlier one replaced); its own
        relative paths (``series.file``, ``weather.file``) rewritten for its folder.
        YAML comments of the base are not kept."""
        raw = read_scenario_file(self.base)
        old, new = self.base.resolve().parent, path.resolve().parent
        for section in ("series", "weather"):
            part = raw.get(section)
            if isinstance(part, dict) and _is_path(part.get("file")):
                part["file"] = _relative(old / part["file"], new)
        raw.update(self.block(path, **risk))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(raw), encoding="utf-8")
        return path


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=100)


def _is_path(x: Any) -> bool:
    return isinstance(x, str) and not x.startswith("pvlib:")


def _relative(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(Path(path).resolve(), folder)).as_posix()


# --- the base -------------------------------------------------------------------------


@dataclass
class Base:
    """A base scenario, resolved, with its series as a table (``timestamp`` first)."""

    path: Path
    raw: dict[str, Any]
    problem: Problem
    frame: pd.DataFrame
    suffix: str

    @property
    def folder(self) -> Path:
        return self.path.resolve().parent


def read_base(path: str | Path) -> Base:
    """Read and resolve a scenario file without its ``uncertainty`` block (refused with a
    ``horizon``); its series as read (timestamps untouched) or, for inline or no series,
    built with the steps' ISO timestamps (with UTC offset)."""
    p = Path(path)
    raw = read_scenario_file(p)
    if raw.get("horizon") is not None:
        raise ScenarioError.single(
            "horizon", "scenario sets are for single-year scenarios (CONTRACT 9): remove it"
        )
    if raw.pop("uncertainty", None) is not None:
        log.warning("%s has an uncertainty block already: the new block replaces it", p)
    problem = load_problem(raw, base_dir=p.resolve().parent)
    series = raw.get("series") or {}
    stamps = [ts.isoformat() for ts in problem.time.index]
    if series.get("file"):
        frame, suffix = _read_table(p.resolve().parent / series["file"])
    else:
        cols = series.get("columns") or {}
        frame = pd.DataFrame({"timestamp": series.get("timestamp") or stamps})
        for name, values in cols.items():
            frame[name] = values
        suffix = ".csv"
    return Base(p, raw, problem, frame, suffix)


def _read_table(path: Path) -> tuple[pd.DataFrame, str]:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype={"timestamp": str}, skipinitialspace=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, ".parquet" if suffix in (".parquet", ".pq") else ".csv"


def _write_table(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


def get_value(raw: Mapping[str, Any], dotted: str) -> Any:
    """The raw value at a dotted path (``grid.spot_price_per_mwh``, ``load.mw``;
    list items by name, ``ppa_offers[wind-a].price_per_mwh``); None when absent."""
    node: Any = raw
    for part in parse_path(dotted):
        if isinstance(part, tuple):
            if not isinstance(node, list):
                return None
            name = part[0]
            hit = [x for x in node if isinstance(x, dict) and x.get("name") == name]
            if hit:
                node = hit[0]
            elif name.isdigit() and int(name) < len(node):
                node = node[int(name)]
            else:
                return None
        else:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
    return node


_RESOLVED: dict[str, Callable[[Problem], np.ndarray | None]] = {
    "grid.spot_price_per_mwh": lambda p: p.spot_price,
    "load.mw": lambda p: p.load_mw,
    "load.it_mw": lambda p: p.it_load_mw,
    "grid.carbon_intensity_tco2_per_mwh": lambda p: p.grid_carbon_intensity,
    "grid.cfe_share": lambda p: p.grid_cfe_share,
}
"""Fields whose resolved array can stand for a value that is neither a number nor a column
(a load model)."""


_COLUMN_NAMES = {"load.mw": "load_mw", "load.it_mw": "it_load_mw"}
"""The series column a field given as a number or a model becomes (else its last part)."""


@dataclass(frozen=True)
class Target:
    """Where a field's values live in the scenario's series: ``column``; ``set`` is the
    override the variant needs (the field was a number or a model)."""

    field: str
    column: str
    values: np.ndarray
    set: dict[str, Any]


def target(base: Base, dotted: str) -> Target:
    """The field's values per step and the series column a variant writes them to."""
    value = get_value(base.raw, dotted)
    if isinstance(value, str):
        if value not in base.frame.columns:
            raise ScenarioError.single(dotted, f"names column {value!r}, not in the series")
        arr = pd.to_numeric(base.frame[value], errors="coerce").to_numpy(dtype=float)
        return Target(dotted, value, arr, {})
    if isinstance(value, bool) or value is None:
        raise ScenarioError.single(dotted, "is not set in the scenario: nothing to vary")
    if isinstance(value, (int, float)):
        arr = np.full(base.problem.periods, float(value))
    elif dotted in _RESOLVED and (got := _RESOLVED[dotted](base.problem)) is not None:
        arr = np.asarray(got, dtype=float)
    else:
        raise ScenarioError.single(
            dotted, "must be a number or a column to vary it (a time-of-use price is not)"
        )
    column = _COLUMN_NAMES.get(dotted) or (
        re.sub(r"[^a-z0-9]+", "_", dotted.split(".")[-1].lower()).strip("_") or "column"
    )
    while column in base.frame.columns:
        column += "_s"
    return Target(dotted, column, arr, {dotted: column})


def probabilities(n: int, given: Sequence[float] | None) -> list[float]:
    """Equal probabilities, or the given ones checked (n values > 0 summing to 1)."""
    if not given:
        return [1.0 / n] * n
    p = [float(x) for x in given]
    if len(p) != n:
        raise ScenarioError.single("--probabilities", f"gives {len(p)} values for {n} scenarios")
    if any(not math.isfinite(x) or x <= 0 for x in p):
        raise ScenarioError.single("--probabilities", "every probability must be > 0")
    if abs(sum(p) - 1.0) > PROBABILITY_TOL:
        raise ScenarioError.single("--probabilities", f"must sum to 1, they sum to {sum(p):.12g}")
    return p


@dataclass
class _Plan:
    """A variant before it is written: its columns' new values (None: the base as it is)."""

    name: str
    columns: dict[str, np.ndarray] | None
    set: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _write(
    base: Base,
    plans: list[_Plan],
    out_dir: Path,
    probs: Sequence[float] | None,
    names: Sequence[str] | None,
    fmt: Literal["csv", "parquet"] | None,
) -> ScenarioSet:
    if len(plans) < 2:
        raise ScenarioError.single(
            "scenarios",
            f"a scenario set needs at least 2 scenarios, these options make {len(plans)}",
        )
    if names:
        if len(names) != len(plans):
            raise ScenarioError.single(
                "--names", f"gives {len(names)} names for {len(plans)} scenarios"
            )
        for pl, nm in zip(plans, names, strict=True):
            pl.name = nm
    seen = [pl.name for pl in plans]
    dup = sorted({x for x in seen if seen.count(x) > 1})
    if dup:
        raise ScenarioError.single("scenarios", f"duplicate scenario names: {', '.join(dup)}")
    p = probabilities(len(plans), probs)
    suffix = f".{fmt}" if fmt else base.suffix
    variants: list[Variant] = []
    for pl, prob in zip(plans, p, strict=True):
        path: Path | None = None
        if pl.columns is not None:
            frame = base.frame.copy()
            for col, values in pl.columns.items():
                frame[col] = values
            path = _write_table(frame, out_dir / f"{_file_name(pl.name)}{suffix}")
            log.info("wrote %s (%s)", path, ", ".join(pl.columns))
        variants.append(Variant(pl.name, prob, path, dict(pl.set), pl.note))
    return ScenarioSet(base.path, variants)


def _file_name(name: str) -> str:
    name = name.replace("%", "pct")
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name).strip("_") or "scenario"


def _g(x: float) -> str:
    return f"{x:g}"


# --- generators -----------------------------------------------------------------------


def spot_scenarios(
    scenario: str | Path,
    out_dir: str | Path,
    *,
    scales: Sequence[float] = (),
    shifts: Sequence[float] = (),
    shocks: Sequence[str] = (),
    severity: float = 1.0,
    include_base: bool = True,
    probabilities: Sequence[float] | None = None,
    names: Sequence[str] | None = None,
    field: str = "grid.spot_price_per_mwh",
    fmt: Literal["csv", "parquet"] | None = None,
) -> ScenarioSet:
    """Spot-price paths: ``spot × s`` for each scale, ``spot + d`` for each shift,
    ``spot × shock(month)`` for each named shock, in that order; a scale of 1 or a shift of
    0 is the base itself (named ``base``, no file). Without such a one, ``include_base``
    puts the base first."""
    base = read_base(scenario)
    tg = target(base, field)
    plans: list[_Plan] = []
    for s in scales:
        if not math.isfinite(s) or s < 0:
            raise ScenarioError.single("--scale", f"must be ≥ 0, got {s}")
        if s == 1.0:
            plans.append(_Plan("base", None))
        else:
            plans.append(_Plan(f"spot-x{_g(s)}", {tg.column: tg.values * s}, tg.set))
    for d in shifts:
        if d == 0.0:
            plans.append(_Plan("base", None))
        else:
            plans.append(_Plan(f"spot{d:+g}", {tg.column: tg.values + d}, tg.set))
    months = np.asarray(base.problem.time.index.month)
    for name in shocks:
        if name not in SHOCKS:
            raise ScenarioError.single(
                "--shock", f"unknown shock {name!r}; known: {', '.join(sorted(SHOCKS))}"
            )
        if not 0 <= severity <= 10:
            raise ScenarioError.single("--severity", f"must be in 0..10, got {severity}")
        path = SHOCKS[name].path(months, severity)
        label = name if severity == 1.0 else f"{name}-x{_g(severity)}"
        plans.append(_Plan(label, {tg.column: tg.values * path}, tg.set, SHOCKS[name].assumption))
    if include_base and not any(pl.columns is None for pl in plans):
        plans.insert(0, _Plan("base", None))
    return _write(base, plans, Path(out_dir), probabilities, names, fmt)


def load_scenarios(
    scenario: str | Path,
    out_dir: str | Path,
    *,
    growth_percent: Sequence[float],
    include_base: bool = True,
    probabilities: Sequence[float] | None = None,
    names: Sequence[str] | None = None,
    fmt: Literal["csv", "parquet"] | None = None,
) -> ScenarioSet:
    """Load growth: ``load × (1 + g/100)`` for each g (IT load too, when the scenario gives
    it or derives it from the load model); g = 0 is the base."""
    base = read_base(scenario)
    tg = target(base, "load.mw")
    it: Target | None = None
    if get_value(base.raw, "load.it_mw") is not None or base.problem.it_load_mw is not None:
        it = _it_target(base, tg)
    plans: list[_Plan] = []
    for g in growth_percent:
        if not math.isfinite(g) or g <= -100:
            raise ScenarioError.single("--growth", f"must be above −100 %, got {g}")
        if g == 0.0:
            plans.append(_Plan("base", None))
            continue
        f = 1.0 + g / 100.0
        cols = {tg.column: tg.values * f}
        sets = dict(tg.set)
        if it is not None:
            cols[it.column] = it.values * f
            sets.update(it.set)
        plans.append(_Plan(f"load{g:+g}%", cols, sets))
    if include_base and not any(pl.columns is None for pl in plans):
        plans.insert(0, _Plan("base", None))
    return _write(base, plans, Path(out_dir), probabilities, names, fmt)


def _it_target(base: Base, load: Target) -> Target:
    value = get_value(base.raw, "load.it_mw")
    if value is not None:
        return target(base, "load.it_mw")
    arr = base.problem.it_load_mw
    assert arr is not None
    column = _COLUMN_NAMES["load.it_mw"]
    while column in base.frame.columns or column == load.column:
        column += "_s"
    return Target("load.it_mw", column, np.asarray(arr, dtype=float), {"load.it_mw": column})


WeatherKind = Literal["solar", "wind", "temperature"]
_WEATHER_COLUMN: dict[str, str] = {
    "solar": "solar_cf",
    "wind": "wind_cf",
    "temperature": "temperature_c",
}


def weather_scenarios(
    scenario: str | Path,
    out_dir: str | Path,
    weather_files: Sequence[str],
    *,
    columns: Mapping[str, WeatherKind] | None = None,
    solar: Any = None,
    wind: Any = None,
    probabilities: Sequence[float] | None = None,
    names: Sequence[str] | None = None,
    fmt: Literal["csv", "parquet"] | None = None,
) -> ScenarioSet:
    """One scenario per weather file (TMY3, TMY2, EPW; ``pvlib:NAME``; paths relative to
    the working folder): each column of ``columns`` (series column → ``solar``, ``wind`` or
    ``temperature``) recomputed from the file on the scenario's steps with
    :func:`optimizer.profiles.weather_profiles` (``solar``/``wind``: a SolarSpec / WindSpec);
    a scenario with a ``weather:`` section also gets ``set: {weather.file: ...}`` so its
    weather-derived profiles and load model follow."""
    from optimizer.profiles import SolarSpec, WindSpec, weather_profiles

    base = read_base(scenario)
    cols = dict(columns or {})
    has_weather = isinstance(base.raw.get("weather"), dict)
    if not cols and not has_weather:
        raise ScenarioError.single(
            "--column",
            "the scenario has no 'weather' section: name the series columns to recompute "
            "(--column solar_cf=solar)",
        )
    for col, kind in cols.items():
        if col not in base.frame.columns:
            raise ScenarioError.single("--column", f"{col!r} is not a column of the series")
        if kind not in _WEATHER_COLUMN:
            raise ScenarioError.single("--column", f"{col}={kind}: use solar, wind or temperature")
    if len(weather_files) < 2:
        raise ScenarioError.single("weather_files", "give at least 2 weather files")
    sc = base.problem.scenario.site
    plans: list[_Plan] = []
    for wf in weather_files:
        sets: dict[str, Any] = {}
        if has_weather:
            sets["weather.file"] = wf if wf.startswith("pvlib:") else str(Path(wf).resolve())
            if (base.raw["weather"].get("format") or "auto") != "auto":
                sets["weather.format"] = "auto"
        new: dict[str, np.ndarray] = {}
        if cols:
            frame = weather_profiles(
                wf,
                timezone=sc.timezone,
                start=sc.start,
                periods=sc.periods,
                resolution_minutes=sc.resolution_minutes,
                solar=solar or SolarSpec(),
                wind=wind or WindSpec(),
            )
            for col, kind in cols.items():
                new[col] = frame[_WEATHER_COLUMN[kind]].to_numpy(dtype=float)
        stem = Path(wf.removeprefix("pvlib:")).stem
        plans.append(_Plan(f"weather-{stem}", new or None, sets))
    return _write(base, plans, Path(out_dir), probabilities, names, fmt)
