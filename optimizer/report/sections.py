"""Building blocks of report.html that other features (compare, frontier, footprint) use to
add their own sections: a :class:`Section` is a title and a self-contained HTML fragment."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from optimizer.report.env import render

DPI = 110
"""Pixels per inch of the charts (a 10.4-inch chart is 1,144 px: the page's width)."""


@dataclass(frozen=True)
class Section:
    """One section of the report: ``html`` is a fragment with no external resources.

    ``html`` is inserted as it is: a caller escapes its own text (or renders a template of
    ``optimizer/report/templates``, which autoescape)."""

    title: str
    html: str
    anchor: str = ""


def png_data_uri(fig: Any, dpi: int = DPI, tight: bool | None = None) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI.

    ``tight`` crops the figure to its contents (``bbox_inches="tight"``, which draws it
    twice); by default a figure with a layout engine (``layout="constrained"``) is saved as
    laid out and any other is cropped. The report's own figures have fixed margins and are
    saved with ``tight=False``: one draw, no layout pass (docs/report.md, Speed).
    """
    buf = io.BytesIO()
    if tight is None:
        tight = fig.get_layout_engine() is None
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure_to_html(fig: Any, alt: str = "", dpi: int = DPI) -> Markup:
    """A matplotlib figure as an inline PNG ``<img>`` (the report stays self-contained)."""
    return render("figure.html.j2", src=png_data_uri(fig, dpi), alt=alt)


def table_html(rows: list[dict[str, Any]], columns: list[str] | None = None) -> Markup:
    """A plain HTML table of records; numbers with thousands separators, text escaped."""
    cols = columns or (list(rows[0]) if rows else [])
    return render("table.html.j2", rows=rows, columns=cols)
