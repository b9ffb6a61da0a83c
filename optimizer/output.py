"""Writers: summary.json, dispatch.parquet and report.html of a :class:`Result`.

The CLI, the API and batch call these; the solve layer (:mod:`optimizer.solve`) returns a
``Result`` and writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.report.process import ReportProcess
    from optimizer.solve import Result


def to_jsonable(obj: Any) -> Any:
    """numpy scalars and arrays as plain Python, for the one JSON writer."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating, np.integer, np.bool_)):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def dumps(data: Any, indent: int | None = 2) -> str:
    """The one JSON writer: numpy values as numbers, NaN refused."""
    return json.dumps(data, indent=indent, allow_nan=False, default=to_jsonable)


def write_json(data: Any, path: str | Path) -> Path:
    p = Path(path)
    p.write_text(dumps(data) + "\n")
    return p


def write_summary(summary: dict[str, Any], path: str | Path) -> Path:
    return write_json(summary, path)


def write_dispatch(dispatch: pd.DataFrame, path: str | Path) -> Path:
    p = Path(path)
    dispatch.to_parquet(p, index=False)
    return p


def write_result(
    result: Result,
    out_dir: str | Path,
    report: bool = True,
    report_process: ReportProcess | None = None,
) -> list[Path]:
    """Write summary.json, dispatch.parquet (when solved) and report.html into ``out_dir``.

    With ``report_process`` (the CLI's :class:`~optimizer.report.process.ReportProcess`)
    the report is drawn there while this process writes the other two files; if that fails
    it is drawn here."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    html = out / "report.html"
    sent = report and report_process is not None and report_process.submit(result, html)
    written = [write_summary(result.summary, out / "summary.json")]
    if result.dispatch is not None:
        written.append(write_dispatch(result.dispatch, out / "dispatch.parquet"))
    if report:
        drawn = report_process.wait() if sent and report_process is not None else None
        if drawn is None:
            from optimizer.report import write_report  # matplotlib: imported only here

            drawn = write_report(result, html)
        written.append(drawn)
    elif report_process is not None:
        report_process.close()
    return written
