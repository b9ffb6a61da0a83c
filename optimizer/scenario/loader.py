"""Load a scenario (file or mapping), apply overrides, validate, resolve.

This is the only place where user input is refused: every error is a :class:`ScenarioError`
whose fields are dotted paths with list items named, e.g.
``technologies[bess].round_trip_efficiency``.
"""

from __future__ import annotations

import difflib
import functools
import logging
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario.limits import InputLimits, env_name
from optimizer.scenario.overrides import apply_overrides
from optimizer.scenario.resolve import Problem, resolve
from optimizer.scenario.safe import check_shape, decode_text, parse_json, parse_yaml
from optimizer.scenario.schema import Scenario
from optimizer.scenario.strict import Refused
from optimizer.units import TECHNOLOGY_UNITS

log = logging.getLogger(__name__)

_NAMED_LISTS = ("grid_offers", "ppa_offers", "technologies")


def read_scenario_file(path: str | Path, limits: InputLimits | None = None) -> dict[str, Any]:
    """The raw mapping of a YAML or JSON scenario file (UTF-8, a byte-order mark allowed);
    its size, nesting and number of values are checked before it is parsed."""
    limits = limits or InputLimits()
    p = Path(path)
    if not p.is_file():
        raise ScenarioError.single("scenario", f"no such file: {p}")
    size = p.stat().st_size
    if size > limits.max_scenario_bytes:
        raise ScenarioError.single(
            "scenario",
            f"{p.name} is {size} bytes; at most {limits.max_scenario_bytes} "
            f"({env_name('max_scenario_bytes')}); put long series in a CSV or Parquet file",
        )
    data_bytes = p.read_bytes()
    if p.suffix.lower() == ".json":
        data = parse_json(data_bytes, p.name, "scenario", limits)
        check_shape(data, p.name, "scenario", limits)
    else:
        data = parse_yaml(decode_text(data_bytes, p.name), p.name, "scenario", limits)
    if not isinstance(data, dict):
        raise ScenarioError.single("scenario", f"{p.name} must hold a mapping of keys")
    return data


_TYPE_TAGS = {"float", "str", "int", "bool", "constrained-float", "constrained-str"}
_DISCRIMINATED = {k for unit in TECHNOLOGY_UNITS for k in unit.kinds}
"""The ``kind`` tags of the technologies union (the unit registry's)."""


def _is_tag(part: str, node: Any) -> bool:
    """Whether a location part names a union member (pydantic's) rather than an input key."""
    if isinstance(node, Mapping) and part in node:
        return False
    if not isinstance(node, Mapping):
        return True
    return (
        part in _TYPE_TAGS
        or "[" in part
        or part[:1].isupper()
        or (part in _DISCRIMINATED and node.get("kind") == part)
    )


def _loc_to_field(loc: tuple[int | str, ...], raw: Any) -> str:
    """Pydantic's location → a dotted path that names list items by their ``name``."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
                if isinstance(item, Mapping) and isinstance(item.get("name"), str):
                    label = item["name"]
                node = item
            else:
                node = None
            out += f"[{label}]"
            continue
        if _is_tag(part, node):
            continue
        node = node.get(part) if isinstance(node, Mapping) else None
        out += f".{part}" if out else part
    return out or "scenario"


@functools.cache
def _schema_keys() -> tuple[str, ...]:
    """Every key any model of the scenario schema accepts (for spelling suggestions)."""
    keys: set[str] = set()
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [Scenario]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            keys.add(name)
            for arg in _walk_types(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    todo.append(arg)
    return tuple(sorted(keys))


def _walk_types(tp: Any) -> list[Any]:
    out = [tp]
    for arg in typing.get_args(tp):
        out.extend(_walk_types(arg))
    return out


def _friendly(err: Mapping[str, Any]) -> str:
    if isinstance(err.get("input"), Refused):
        return str(err["input"].message)
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        loc = err.get("loc") or ("",)
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _schema_keys(), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]!r}?" if close else " (see docs/scenario.schema.json)"
        return f"unknown key{hint}"
    if kind == "missing":
        return "is required"
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def translate(exc: ValidationError, raw: Any) -> ScenarioError:
    """Pydantic errors → one ScenarioError; a union's several messages merge into one line."""
    merged: dict[str, list[str]] = {}
    mismatch_only: dict[str, bool] = {}
    for err in exc.errors():
        field = _loc_to_field(tuple(err["loc"]), raw)
        msg = _friendly(err)
        merged.setdefault(field, [])
        is_mismatch = str(err.get("type", "")).endswith(("_type", "_parsing")) and not isinstance(
            err.get("input"), Refused
        )
        mismatch_only[field] = mismatch_only.get(field, True) and is_mismatch
        if msg not in merged[field]:
            merged[field].append(msg)
    # A union member that did match the input's shape reports deeper errors; the other
    # members' "wrong type" complaints about the parent are noise then.
    fields = list(merged)
    keep = [
        f
        for f in fields
        if not (
            mismatch_only[f]
            and any(g != f and (g.startswith(f + ".") or g.startswith(f + "[")) for g in fields)
        )
    ]
    return ScenarioError([FieldError(f, " / ".join(merged[f])) for f in keep])


def _cross_checks(s: Scenario) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: dict[str, str] = {}
    for section in _NAMED_LISTS:
        for item in getattr(s, section):
            if item.name in seen:
                errors.append(
                    FieldError(
                        f"{section}[{item.name}].name",
                        f"duplicate name {item.name!r} (already used in {seen[item.name]}); "
                        "names must be unique",
                    )
                )
            else:
                seen[item.name] = section
    if s.technologies and s.finance is None:
        errors.append(
            FieldError(
                "finance.discount_rate",
                "is required to annualise the capital of technologies",
            )
        )
    return errors


def check_periods(data: Mapping[str, Any], limits: InputLimits) -> None:
    """``site.periods`` against the limit and the inline series, before anything is sized
    by it (the time grid is built from it)."""
    site = data.get("site")
    periods = site.get("periods") if isinstance(site, Mapping) else None
    if not isinstance(periods, int) or isinstance(periods, bool) or periods <= 0:
        return  # the schema names what is wrong with it
    if periods > limits.max_periods:
        raise ScenarioError.single(
            "site.periods",
            f"{periods} steps; at most {limits.max_periods} ({env_name('max_periods')})",
        )
    series = data.get("series")
    columns = series.get("columns") if isinstance(series, Mapping) else None
    if isinstance(columns, Mapping):
        errors = [
            FieldError(
                f"series.columns.{name}", f"has {len(col)} values, site.periods is {periods}"
            )
            for name, col in columns.items()
            if isinstance(col, list) and len(col) != periods
        ]
        if errors:
            raise ScenarioError(errors)


def validate_scenario(data: Mapping[str, Any], limits: InputLimits | None = None) -> Scenario:
    """Validate a raw mapping against the schema (no series read)."""
    limits = limits or InputLimits()
    check_periods(data, limits)
    try:
        scenario = Scenario.model_validate(
            dict(data), context={"max_list_items": limits.max_list_items}
        )
    except ValidationError as exc:
        raise translate(exc, data) from None
    except RecursionError:  # a structure that contains itself, given by a Python caller
        raise ScenarioError.single(
            "scenario", "is nested too deeply (or contains itself)"
        ) from None
    errors = _cross_checks(scenario)
    if errors:
        raise ScenarioError(errors)
    return scenario


def load_problem(
    source: str | Path | Mapping[str, Any],
    overrides: Iterable[str | tuple[str, Any]] = (),
    base_dir: str | Path | None = None,
    limits: InputLimits | None = None,
) -> Problem:
    """Read, override, validate and resolve a scenario.

    ``source`` is a path to a YAML/JSON file, or a mapping (its series inline, or a
    ``series.file`` relative to ``base_dir``; with ``base_dir=None`` no file is read).
    ``limits`` default to the ``DCOPT_*`` environment (:class:`InputLimits`).
    """
    limits = limits or InputLimits()
    if isinstance(source, (str, Path)):
        raw = read_scenario_file(source, limits)
        folder: Path | None = Path(source).resolve().parent
    else:
        check_shape(source, "the scenario", "scenario", limits)
        raw = dict(source)
        folder = Path(base_dir).resolve() if base_dir is not None else None
    overrides = list(overrides)
    raw = apply_overrides(raw, overrides)
    if overrides:
        check_shape(raw, "the scenario with its overrides", "scenario", limits)
    scenario = validate_scenario(raw, limits)
    problem = resolve(scenario, folder)
    log.info(
        "scenario %r: %d steps of %g h, %d grid offers, %d PPAs, %d technologies",
        scenario.name,
        problem.periods,
        problem.dt,
        len(problem.offers),
        len(problem.ppas),
        len(scenario.technologies),
    )
    return problem
