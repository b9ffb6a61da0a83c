"""Number formatting for the report: plain text, never ``%g`` or exponent notation.

Every formatter takes ``None`` (or a non-finite float) and returns "—". They are the Jinja
filters of the templates (:data:`FILTERS`): ``{{ value | money(currency) }}``.

A number that comes from summary.json is shown with the ``num`` macro of
``templates/macros.html.j2``: ``<span data-key='["emissions_tco2", "location_based"]'
data-value="...">``. ``data-key`` is the JSON list of keys leading to the number in
``summary.json`` (a list, because asset names may hold dots) and ``data-value`` Python's
shortest round-trip ``repr`` of the float (:func:`raw`), the same text ``summary.json``
holds, so tests (and scripts) can check the page against the summary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

DASH = "—"


def missing(value: Any) -> bool:
    """True for ``None`` and for a float that is NaN or infinite (shown as "—")."""
    if value is None:
        return True
    if isinstance(value, bool):
        return False
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def finite(value: Any) -> bool:
    return not missing(value)


def _z(value: float, digits: int) -> float:
    """``value``, with anything that rounds to zero made +0 (no "-0.00" on the page)."""
    return 0.0 if round(value, digits) == 0 else value


def _fixed(value: float, digits: int) -> str:
    return f"{_z(value, digits):,.{digits}f}"


def _small_digits(value: float, significant: int = 3, most: int = 8) -> int:
    """Decimals that show ``significant`` digits of a number below 1 (at most ``most``)."""
    if value == 0:
        return 2
    return min(most, max(2, significant - 1 - math.floor(math.log10(abs(value)))))


def number(value: Any) -> str:
    """A plain number with sensible precision: ``1,429,059``, ``52.68``, ``0.00197``."""
    if missing(value):
        return DASH
    if isinstance(value, bool):
        return str(value)
    v = float(value)
    if isinstance(value, int):
        return f"{value:,}"
    if v == 0:
        return "0"
    if abs(v) >= 100 or (v == round(v) and abs(v) < 1e15):
        return _fixed(v, 0)
    if abs(v) >= 1:
        return _fixed(v, 2)
    return _fixed(v, _small_digits(v))


def money(value: Any, currency: str) -> str:
    """``USD 1,454,466`` (whole units from 1,000 up, cents below)."""
    if missing(value):
        return DASH
    v = float(value)
    return f"{currency} {_fixed(v, 0 if abs(v) >= 1000 else 2)}"


def per_unit(value: Any, currency: str, unit: str) -> str:
    """``USD 12,345/MW-year``: money per a unit (cents below 1,000)."""
    if missing(value):
        return DASH
    return f"{money(value, currency)}/{unit}"


def per_mwh(value: Any, currency: str) -> str:
    if missing(value):
        return DASH
    return f"{currency} {_fixed(float(value), 2)}/MWh"


def with_unit(value: Any, unit: str) -> str:
    """``1,429,059 MWh``; ``52.68 t``; ``0.00197 tCO2e/MWh`` (the unit after a space)."""
    if missing(value):
        return DASH
    return f"{number(float(value))} {unit}"


def mwh(value: Any) -> str:
    if missing(value):
        return DASH
    v = float(value)
    return f"{_fixed(v, 0)} MWh" if abs(v) >= 100 else f"{_fixed(v, 2)} MWh"


def mw(value: Any) -> str:
    if missing(value):
        return DASH
    return f"{_fixed(float(value), 1)} MW"


def tco2(value: Any) -> str:
    if missing(value):
        return DASH
    v = float(value)
    return f"{_fixed(v, 0)} tCO2" if abs(v) >= 100 else f"{_fixed(v, 2)} tCO2"


def percent(value: Any, digits: int = 1) -> str:
    if missing(value):
        return DASH
    return f"{_fixed(float(value) * 100, digits)}%"


def count(value: Any) -> str:
    """A whole count with thousands separators."""
    if missing(value):
        return DASH
    return f"{round(float(value)):,}"


def raw(value: Any) -> str:
    """The exact value for ``data-value``: the float's shortest round-trip repr."""
    if missing(value):
        return ""
    if isinstance(value, bool):
        return str(value)
    return repr(float(value))


def get_path(data: Any, key: Sequence[str]) -> Any:
    """``get_path(summary, ["emissions_tco2", "location_based"])``; ``None`` when absent."""
    cur = data
    for part in key:
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


FILTERS: dict[str, Callable[..., Any]] = {
    "number": number,
    "money": money,
    "per_unit": per_unit,
    "per_mwh": per_mwh,
    "with_unit": with_unit,
    "mwh": mwh,
    "mw": mw,
    "tco2": tco2,
    "percent": percent,
    "count": count,
    "raw": raw,
}
"""The Jinja filters of the report's templates."""

TESTS: dict[str, Callable[[Any], bool]] = {"missing": missing, "finite": finite}
"""Jinja tests: ``{% if value is missing %}``."""
