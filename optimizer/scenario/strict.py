"""Checks every model of the scenario makes on its raw input, before pydantic converts it.

:func:`check_model_input` runs for every model derived from the schema's ``_Strict`` base
(a ``model_validator(mode="before")``), so a rule holds for each field a model has or will
get, without a line per field:

- a boolean is refused where the field takes a number (pydantic would read ``true`` as 1),
  also inside lists and mappings of numbers; fields that take a boolean keep taking it;
- a list or mapping holds at most ``max_list_items`` items (the validation context's value,
  from :class:`~optimizer.scenario.limits.InputLimits`), except per-step lists bounded by
  ``site.periods``.

A refused value is replaced by a :class:`Refused` marker that no field type accepts, so
pydantic reports the error at the exact place (``technologies[pv].max_mw``,
``...tou``, ``series.columns.load[3]``) and :func:`optimizer.scenario.loader.translate`
puts the marker's message in place of pydantic's. (A per-field ``mode="before"`` validator
cannot be used: pydantic forbids one on the ``kind`` discriminator fields.)
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ValidationInfo

from optimizer.scenario.limits import DEFAULT_MAX_LIST_ITEMS, PER_STEP_FIELDS, env_name


class Refused:
    """A raw value refused before validation; ``message`` says why."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return f"<refused: {self.message}>"


# Where a field refuses booleans: (numeric here, plan of list items, plan of mapping values).
_Plan = tuple[bool, Any, Any] | None
_FLAT: _Plan = (True, None, None)


def _strip(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def _is_number_literal(tp: Any) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is Literal and all(
        isinstance(a, (int, float)) and not isinstance(a, bool) for a in args
    )


def _plan(tp: Any) -> _Plan:
    """Where in a value of type ``tp`` a boolean must be refused (``None``: nowhere)."""
    members = _members(tp)
    if any(m is bool or m is Any or m is object for m in members):
        return None
    numeric = any(m in (int, float) or _is_number_literal(m) for m in members)
    inner_list: _Plan = None
    inner_dict: _Plan = None
    for m in members:
        origin, args = typing.get_origin(m), typing.get_args(m)
        if origin in (list, tuple, set, frozenset) and args:
            inner_list = inner_list or _plan(args[0])
        elif origin in (dict, Mapping) and len(args) == 2:
            inner_dict = inner_dict or _plan(args[1])
    if not (numeric or inner_list or inner_dict):
        return None
    return (numeric, inner_list, inner_dict)


def _takes_anything(tp: Any) -> bool:
    return any(m is Any or m is object for m in _members(tp))


@functools.cache
def _field_rules(model: type[BaseModel]) -> dict[str, tuple[_Plan, bool]]:
    """Per field: its boolean plan and whether it takes any value at all."""
    return {
        name: (_plan(info.annotation), _takes_anything(info.annotation))
        for name, info in model.model_fields.items()
    }


def _find_bool(value: Any, plan: _Plan) -> tuple[list[int | str], bool] | None:
    """The path (indices and keys) to the first refused boolean in ``value``, and the boolean."""
    if plan is None:
        return None
    numeric, inner_list, inner_dict = plan
    if isinstance(value, bool):
        return ([], value) if numeric else None
    if inner_list is not None and isinstance(value, list):
        if inner_list == _FLAT:  # a flat list of numbers (a series column): the long case
            for i, item in enumerate(value):
                if item is True or item is False:
                    return [i], item
            return None
        for i, item in enumerate(value):
            hit = _find_bool(item, inner_list)
            if hit is not None:
                return [i, *hit[0]], hit[1]
    if inner_dict is not None and isinstance(value, Mapping):
        for key, item in value.items():
            hit = _find_bool(item, inner_dict)
            if hit is not None:
                return [key, *hit[0]], hit[1]
    return None


def _replace(value: Any, path: list[int | str], new: Any) -> Any:
    """A copy of ``value`` with the item at ``path`` replaced (containers on the path copied)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = list(value) if isinstance(value, list) else dict(value)
    copy[head] = _replace(value[head], rest, new)
    return copy


def check_model_input(model: type[BaseModel], data: Any, info: ValidationInfo) -> Any:
    """The ``_Strict`` rules for one model's raw input; refused values become :class:`Refused`."""
    if not isinstance(data, dict):
        return data
    context = info.context if isinstance(info.context, Mapping) else {}
    limit = int(context.get("max_list_items", DEFAULT_MAX_LIST_ITEMS))
    rules = _field_rules(model)
    out: dict[str, Any] | None = None
    for key, value in data.items():
        rule = rules.get(key) if isinstance(key, str) else None
        if rule is None:
            continue  # an unknown key: the model refuses it
        plan, takes_anything = rule
        new = value
        if isinstance(value, (list, dict)) and key not in PER_STEP_FIELDS and len(value) > limit:
            message = f"has {len(value)} items; at most {limit} ({env_name('max_list_items')})"
            if takes_anything:
                raise ValueError(f"{key}: {message}")
            new = Refused(message)
        else:
            hit = _find_bool(value, plan)
            if hit is not None:
                path, got = hit
                new = _replace(
                    value, path, Refused(f"expected a number, got the boolean {str(got).lower()}")
                )
        if new is not value:
            out = dict(data) if out is None else out
            out[key] = new
    return data if out is None else out
