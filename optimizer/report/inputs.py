"""Report sections that show data as tables: the scenario's inputs, and the optional
``materials`` / ``embodied_carbon`` / ``footprint`` summary blocks (any nesting of numbers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizer.report.analysis import flatten_numbers
from optimizer.report.fmt import esc, num, number
from optimizer.report.sections import table_html
from optimizer.scenario import Problem

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


def _describe(value: Any, field: str = "") -> Any:
    """An input value for a table cell: numbers stay numbers, prices and lists become text."""
    if value is None:
        return "—"
    if isinstance(value, dict) and "tou" in value:
        prices = [float(b["price_per_mwh"]) for b in value["tou"]]
        return f"TOU, {len(prices)} blocks, {min(prices):g}–{max(prices):g} per MWh"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_describe(v)}" for k, v in value.items())
    if isinstance(value, str) and field in COLUMN_FIELDS:
        return f"column {value}"
    return value


def _kv_table(data: dict[str, Any]) -> str:
    return table_html([{"input": k, "value": _describe(v, k)} for k, v in data.items()])


def _records_table(records: list[dict[str, Any]]) -> str:
    """Rows of inputs; name and kind first, columns that are empty in every row left out."""
    rows = [{k: _describe(v, k) for k, v in r.items()} for r in records]
    columns: list[str] = []
    for r in rows:
        columns.extend(c for c in r if c not in columns)
    columns.sort(key=lambda c: {"name": 0, "kind": 1}.get(c, 2))
    columns = [c for c in columns if any(r.get(c, "—") != "—" for r in rows)]
    return table_html([{c: r.get(c, "—") for c in columns} for r in rows], columns)


def _stats(values: np.ndarray, unit: str) -> str:
    return (
        f"mean {number(float(values.mean()))}, min {number(float(values.min()))}, "
        f"max {number(float(values.max()))} {unit}"
    )


def inputs_html(problem: Problem) -> str:
    """The scenario as the buyer gave it, with the resolved series summarised."""
    sc = problem.scenario
    dt = problem.dt
    parts: list[str] = []
    site = sc.site.model_dump()
    parts.append("<h3>Site</h3>" + _kv_table(site))

    load = sc.load.model_dump()
    load["resolved load"] = _stats(problem.load_mw, "MW")
    load["load energy over the horizon"] = f"{number(float(problem.load_mw.sum() * dt))} MWh"
    parts.append("<h3>Load</h3>" + _kv_table(load))

    grid = sc.grid.model_dump()
    grid["resolved carbon intensity"] = _stats(problem.grid_carbon_intensity, "tCO2/MWh")
    grid["resolved CFE share"] = _stats(problem.grid_cfe_share, "")
    if problem.spot_price is not None:
        grid["resolved spot price"] = _stats(problem.spot_price, f"{sc.currency}/MWh")
    parts.append("<h3>Grid</h3>" + _kv_table(grid))

    offers = []
    for spec, data in zip(sc.grid_offers, problem.offers, strict=True):
        row = spec.model_dump()
        row["mean energy price per MWh"] = float(data.price.mean())
        offers.append(row)
    parts.append("<h3>Grid offers</h3>" + _records_table(offers))

    if sc.ppa_offers:
        ppas = []
        for pspec, pdata in zip(sc.ppa_offers, problem.ppas, strict=True):
            row = pspec.model_dump()
            row["mean profile"] = float(pdata.profile.mean())
            ppas.append(row)
        parts.append("<h3>PPA offers</h3>" + _records_table(ppas))

    if sc.technologies:
        techs = [t.model_dump() for t in sc.technologies]
        parts.append("<h3>Technologies</h3>" + _records_table(techs))

    if sc.finance is not None:
        parts.append("<h3>Finance</h3>" + _kv_table(sc.finance.model_dump()))
    parts.append("<h3>Carbon</h3>" + _kv_table(sc.carbon.model_dump()))
    return "\n".join(parts)


_ITEM_VALUE = "<tr><th>item</th><th>value</th></tr>"


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (int, float, str, bool))


def _cell(key: tuple[str, ...], v: Any) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f'<td class="num">{num(key, v, number(float(v)))}</td>'
    return f"<td>{esc('—' if v is None else v)}</td>"


def nested_html(root: str, value: Any) -> str:
    """A summary block of numbers as tables, whatever its nesting.

    * ``{name: number}`` → a two-column table;
    * ``{row: {column: number}}`` → a matrix (rows × the union of the columns);
    * ``{group: {...}}`` deeper → one sub-heading per group, recursively;
    * anything else → a table of (path, value) leaves.
    Every number carries ``data-key`` = its path in the summary.
    """
    return _nested((root,), value, level=4)


def _nested(path: tuple[str, ...], value: Any, level: int) -> str:
    if isinstance(value, dict) and value and all(_is_scalar(v) for v in value.values()):
        body = "".join(
            f"<tr><td>{esc(k)}</td>{_cell((*path, str(k)), v)}</tr>" for k, v in value.items()
        )
        return f"<table><thead>{_ITEM_VALUE}</thead><tbody>{body}</tbody></table>"
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
        head = "<th></th>" + "".join(f"<th>{esc(c)}</th>" for c in cols)
        rows = []
        for k, v in value.items():
            cells = "".join(
                _cell((*path, str(k), c), v[c]) if c in v else "<td></td>" for c in cols
            )
            rows.append(f"<tr><td>{esc(k)}</td>{cells}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    if isinstance(value, dict) and value and level <= 6:
        parts = []
        loose = {k: v for k, v in value.items() if _is_scalar(v)}
        if loose:
            parts.append(_nested(path, loose, level))
        for k, v in value.items():
            if not _is_scalar(v):
                parts.append(f"<h{level}>{esc(k)}</h{level}>")
                parts.append(_nested((*path, str(k)), v, level + 1))
        return "\n".join(parts)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"<p>{num(path, value, number(float(value)))}</p>"
    if _is_scalar(value):
        return f"<p>{esc('—' if value is None else value)}</p>"
    # lists and mixed nesting: leaves by path, without data-key (a path with [i] is no key)
    leaves = flatten_numbers(value)
    body = "".join(
        f'<tr><td>{esc(p)}</td><td class="num">{esc(number(float(v)))}</td></tr>'
        if isinstance(v, (int, float)) and not isinstance(v, bool)
        else f"<tr><td>{esc(p)}</td><td>{esc(v)}</td></tr>"
        for p, v in leaves
    )
    return (
        f"<table><thead><tr><th>item</th><th>value</th></tr></thead><tbody>{body}</tbody></table>"
    )
