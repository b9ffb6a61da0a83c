"""Number formatting for the report; every headline number carries its exact value.

A number shown by :func:`num` is a ``<span data-key='["emissions_tco2", "location_based"]'
data-value="...">``: ``data-key`` is the JSON list of keys leading to the number in
``summary.json`` (a list, because asset names may hold dots) and ``data-value`` Python's
shortest round-trip ``repr`` of the float, the same text ``summary.json`` holds, so tests (and
scripts) can check the page against the summary.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from typing import Any

Key = tuple[str, ...]


def esc(text: object) -> str:
    """HTML-escape any user text (scenario and asset names, messages)."""
    return html.escape(str(text), quote=True)


def _z(value: float, digits: int) -> float:
    """``value``, with anything that rounds to zero made +0 (no "-0.00" on the page)."""
    return 0.0 if round(value, digits) == 0 else value


def money(value: float, currency: str) -> str:
    """``USD 1,454,466`` (whole units from 1,000 up, cents below)."""
    digits = 0 if abs(value) >= 1000 else 2
    return f"{currency} {_z(value, digits):,.{digits}f}"


def per_mwh(value: float, currency: str) -> str:
    return f"{currency} {_z(value, 2):,.2f}/MWh"


def mwh(value: float) -> str:
    return f"{value:,.0f} MWh" if abs(value) >= 100 else f"{_z(value, 2):,.2f} MWh"


def mw(value: float) -> str:
    return f"{_z(value, 1):,.1f} MW"


def tco2(value: float) -> str:
    return f"{value:,.0f} tCO2" if abs(value) >= 100 else f"{_z(value, 2):,.2f} tCO2"


def percent(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


def number(value: float) -> str:
    """A plain number with sensible precision."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{_z(value, 12):.4g}"


def num(key: Sequence[str], value: Any, text: str, cls: str = "") -> str:
    """A number as ``<span data-key data-value>text</span>`` (``—`` when missing)."""
    k = esc(json.dumps(list(key)))
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return f'<span class="na {cls}" data-key="{k}" data-value="">—</span>'
    raw = repr(float(value)) if not isinstance(value, bool) else str(value)
    return f'<span class="v {cls}" data-key="{k}" data-value="{esc(raw)}">{esc(text)}</span>'


def get_path(data: Any, key: Sequence[str]) -> Any:
    """``get_path(summary, ["emissions_tco2", "location_based"])``; ``None`` when absent."""
    cur = data
    for part in key:
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur
