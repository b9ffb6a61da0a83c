"""Building blocks of report.html that other features (compare, frontier, footprint) use to
add their own sections: a :class:`Section` is a title and a self-contained HTML fragment."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    """One section of the report: ``html`` is a fragment with no external resources."""

    title: str
    html: str
    anchor: str = ""


def figure_to_html(fig: Any, alt: str = "", dpi: int = 110) -> str:
    """A matplotlib figure as an inline PNG ``<img>`` (the report stays self-contained).

    A figure with a layout engine (``layout="constrained"``) is saved as laid out; any other
    is cropped to its contents (``bbox_inches="tight"``, which draws it twice).
    """
    buf = io.BytesIO()
    tight = "tight" if fig.get_layout_engine() is None else None
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"/>'


def table_html(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """A plain HTML table of records; numbers formatted with thousands separators."""
    if not rows:
        return "<p>(none)</p>"
    cols = columns or list(rows[0])
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            if isinstance(v, float):
                text = f"{v:,.2f}"
                cells.append(f'<td class="num">{text}</td>')
            elif isinstance(v, int) and not isinstance(v, bool):
                cells.append(f'<td class="num">{v:,}</td>')
            else:
                cells.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
