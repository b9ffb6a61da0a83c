"""Data of the report's table sections: the scenario's inputs, and the optional
``materials`` / ``embodied_carbon`` / ``footprint`` summary blocks (any nesting of numbers).

Inputs with several items (offers, PPAs, technologies) are shown one column per item and
one row per field, at most :data:`ITEMS_PER_TABLE` items a table, so that the tables fit the
page's width whatever the number of fields (no horizontal scrollbar at 1,280 px).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.report.analysis import flatten_numbers
from optimizer.report.fmt import number
from optimizer.scenario import Problem

ITEMS_PER_TABLE = 4

COLUMN_FIELDS = frozenset(
    {
        "mw",
        "it_mw",
        "carbon_intensity_tco2_per_mwh",
        "cfe_share",
        "spot_price_per_mwh",
        "export_price",
        "energy_price_per_mwh",
        "profile",
    }
)
"""Number-or-column fields (CONTRACT 2): a string there names a column of the series."""


def describe(value: Any, field: str = "") -> Any:
    """An input value for a table cell: numbers stay numbers (the template formats them),
    a mapping becomes a list of (name, value) pairs, prices and lists become text."""
    if value is None:
        return "—"
    if isinstance(value, dict) and "tou" in value:
        prices = [float(b["price_per_mwh"]) for b in value["tou"]]
        return f"TOU, {len(prices)} blocks, {number(min(prices))}–{number(max(prices))} per MWh"
    if isinstance(value, list):
        return ", ".join(str(describe(v)) for v in value)
    if isinstance(value, dict):
        return [(str(k), describe(v)) for k, v in value.items()]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and field in COLUMN_FIELDS:
        return f"column {value}"
    return value


def _kv(data: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "kv", "rows": [(k, describe(v, k)) for k, v in data.items()]}


def _records(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Items as columns, fields as rows; fields empty for every item left out."""
    described = [{k: describe(v, k) for k, v in r.items()} for r in records]
    fields: list[str] = []
    for r in described:
        fields.extend(c for c in r if c not in fields and c != "name")
    fields = [f for f in fields if any(r.get(f, "—") != "—" for r in described)]
    chunks = []
    for i in range(0, len(described), ITEMS_PER_TABLE):
        part = described[i : i + ITEMS_PER_TABLE]
        chunks.append(
            {
                "names": [str(r.get("name", "")) for r in part],
                "rows": [(f, [r.get(f, "—") for r in part]) for f in fields],
            }
        )
    return {"kind": "records", "chunks": chunks}


def _stats(values: np.ndarray, unit: str) -> str:
    text = (
        f"mean {number(float(values.mean()))}, min {number(float(values.min()))}, "
        f"max {number(float(values.max()))}"
    )
    return f"{text} {unit}" if unit else text


def inputs(problem: Problem) -> list[tuple[str, dict[str, Any]]]:
    """The scenario as the buyer gave it, with the resolved series summarised:
    ``[(heading, table data)]`` for ``templates/inputs.html.j2``."""
    sc = problem.scenario
    dt = problem.dt
    cur = sc.currency
    parts: list[tuple[str, dict[str, Any]]] = [("Site", _kv(sc.site.model_dump()))]

    load = sc.load.model_dump()
    load["resolved load"] = _stats(problem.load_mw, "MW")
    load["load energy over the horizon"] = f"{number(float(problem.load_mw.sum() * dt))} MWh"
    parts.append(("Load", _kv(load)))

    grid = sc.grid.model_dump()
    grid["resolved carbon intensity"] = _stats(problem.grid_carbon_intensity, "tCO2/MWh")
    grid["resolved CFE share"] = _stats(problem.grid_cfe_share, "")
    if problem.spot_price is not None:
        grid["resolved spot price"] = _stats(problem.spot_price, f"{cur}/MWh")
    parts.append(("Grid", _kv(grid)))

    offers = []
    for spec, data in zip(sc.grid_offers, problem.offers, strict=True):
        row = spec.model_dump()
        row[f"mean energy price ({cur}/MWh)"] = float(data.price.mean())
        offers.append(row)
    parts.append(("Grid offers", _records(offers)))

    if sc.ppa_offers:
        ppas = []
        for pspec, pdata in zip(sc.ppa_offers, problem.ppas, strict=True):
            row = pspec.model_dump()
            row["mean profile (share of contracted MW)"] = float(pdata.profile.mean())
            ppas.append(row)
        parts.append(("PPA offers", _records(ppas)))

    if sc.technologies:
        parts.append(("Technologies", _records([t.model_dump() for t in sc.technologies])))
    if sc.finance is not None:
        parts.append(("Finance", _kv(sc.finance.model_dump())))
    parts.append(("Carbon", _kv(sc.carbon.model_dump())))
    return parts


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (int, float, str, bool))


def _leaf(path: tuple[str, ...], v: Any) -> dict[str, Any]:
    return {"key": path, "value": v, "is_number": _is_number(v)}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def nested(root: str, value: Any) -> dict[str, Any]:
    """A summary block of numbers as a tree of tables for ``templates/nested.html.j2``:

    * ``{name: number}`` → a two-column table;
    * ``{row: {column: number}}`` → a matrix (rows × the union of the columns);
    * ``{group: {...}}`` deeper → one sub-heading per group, recursively;
    * anything else → a table of (path, value) leaves.
    Every number carries its path in the summary (``data-key``).
    """
    return _nested((root,), value, level=4)


def _nested(path: tuple[str, ...], value: Any, level: int) -> dict[str, Any]:
    if isinstance(value, dict) and value and all(_is_scalar(v) for v in value.values()):
        return {
            "kind": "kv",
            "rows": [(str(k), _leaf((*path, str(k)), v)) for k, v in value.items()],
        }
    if (
        isinstance(value, dict)
        and value
        and all(
            isinstance(v, dict) and v and all(_is_scalar(x) for x in v.values())
            for v in value.values()
        )
    ):
        cols: list[str] = []
        for v in value.values():
            cols.extend(str(c) for c in v if str(c) not in cols)
        rows = [
            (
                str(k),
                [_leaf((*path, str(k), c), v[c]) if c in v else None for c in cols],
            )
            for k, v in value.items()
        ]
        return {"kind": "matrix", "columns": cols, "rows": rows}
    if isinstance(value, dict) and value and level <= 6:
        parts: list[dict[str, Any]] = []
        loose = {k: v for k, v in value.items() if _is_scalar(v)}
        if loose:
            parts.append(_nested(path, loose, level))
        for k, v in value.items():
            if not _is_scalar(v):
                parts.append({"kind": "heading", "level": level, "text": str(k)})
                parts.append(_nested((*path, str(k)), v, level + 1))
        return {"kind": "group", "parts": parts}
    if _is_scalar(value):
        return {"kind": "scalar", "leaf": _leaf(path, value)}
    # lists and mixed nesting: leaves by path, without data-key (a path with [i] is no key)
    return {"kind": "leaves", "rows": flatten_numbers(value)}
