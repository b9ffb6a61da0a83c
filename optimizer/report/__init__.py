"""report.html (CONTRACT section 5): one self-contained page a buyer can read and send on.

``write_report(result, path, sections=())`` is called by :func:`optimizer.output.write_result`;
other features (compare, frontier, footprint) pass extra :class:`Section` objects built with
:func:`figure_to_html` and :func:`table_html`. What every chart means: docs/report.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from optimizer.report.sections import Section, figure_to_html, table_html
    from optimizer.solve import Result


def __getattr__(name: str) -> Any:
    """``Section``, ``figure_to_html`` and ``table_html`` from :mod:`optimizer.report.sections`
    on first use: importing this package (``optimizer.report.process``, before ``dcopt
    run`` forks its report process) then costs no Jinja import."""
    if name in ("Section", "figure_to_html", "table_html"):
        from optimizer.report import sections

        return getattr(sections, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


log = logging.getLogger(__name__)


def render_report(result: Result, sections: Iterable[Section] = (), week: str | None = None) -> str:
    """The report as an HTML string (see :func:`write_report`)."""
    from optimizer.report.page import render_page

    return render_page(first_case(result), sections, week=week)


CASE_COLUMNS = ("scenario", "year")
"""Dispatch columns that name the case of a study (CONTRACT 9, 10)."""


def first_case(result: Result) -> Result:
    """A study's result with the dispatch of its first case only (the per-step charts are
    drawn for one case; the headline numbers stay the study's)."""
    import dataclasses

    d = result.dispatch
    if d is None:
        return result
    for col in CASE_COLUMNS:
        if col in d.columns:
            first = d[col].iloc[0]
            part = d[d[col] == first].drop(columns=[col]).reset_index(drop=True)
            return dataclasses.replace(result, dispatch=part)
    return result


def write_report(
    result: Result,
    path: str | Path,
    sections: Iterable[Section] = (),
    week: str | None = None,
) -> Path:
    """Write report.html for ``result`` to ``path`` and return the path.

    ``sections`` are appended after the built-in ones (before the inputs table). ``week``
    (an ISO date inside the horizon) picks the first local day of the dispatch chart instead
    of the costliest week. Works for any status: without a solution the page shows the
    status, the diagnosis and the inputs.
    """
    t0 = time.perf_counter()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(result, sections, week=week), encoding="utf-8")
    log.info(
        "wrote %s (%.0f kB) in %.2f s", out, out.stat().st_size / 1e3, time.perf_counter() - t0
    )
    return out


__all__ = ["Section", "figure_to_html", "render_report", "table_html", "write_report"]
