"""report.html rendered by a second process that got ready while the model was solved.

The report's imports (matplotlib, its Artist classes, the templates) cost about 0.46 s of
CPU and drawing it about 0.36 s on week-basic, against about 1.1 s for everything before it
(docs/performance.md, "Fixed costs of a command"). ``dcopt run`` therefore forks a report
process at its start, on a machine with a second core: the child imports the report stack
while the parent reads the scenario and solves; the parent then sends the result (without
its Pyomo model and HiGHS object: :meth:`Result.portable`, ~50 kB pickled on week-basic)
and writes summary.json and dispatch.parquet while the child draws.

Any failure of the child (it could not start, it died, the result did not pickle, the
render raised) falls back to rendering in this process, so the report is written either
way; the child's error is logged. The child exits when its pipe closes (the parent ended or
was killed) or after one report.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import sys
import time
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.options import available_cores, core_idle, fork_is_safe, load_average

if TYPE_CHECKING:
    from optimizer.report.sections import Section
    from optimizer.solve import Result

log = logging.getLogger(__name__)


def _cores() -> int:
    return available_cores()


def _load() -> float:
    return load_average() or 0.0


def _imported() -> bool:
    """The report stack is already imported here: drawing in this process costs no more."""
    return "optimizer.report.page" in sys.modules


def _serve(conn: Connection, other: Connection) -> None:
    """The child: import the report stack, then render the one report it is sent."""
    other.close()
    try:
        from optimizer.report import (
            page,  # noqa: F401  (matplotlib and the figures)
            write_report,
        )
    except Exception as exc:  # pragma: no cover - reported to the parent
        conn.send(("error", f"import failed: {exc!r}"))
        return
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg[0] != "warm":
            break
        try:
            _warm_up()
        except Exception:  # pragma: no cover - only a speed-up
            log.debug("report warm-up failed", exc_info=True)
    if msg[0] != "render":
        return
    _, result, path, sections, week = msg
    try:
        t0 = time.perf_counter()
        written = write_report(result, path, sections, week=week)
        conn.send(("ok", str(written), time.perf_counter() - t0))
    except Exception as exc:
        conn.send(("error", repr(exc)))


def _warm_up() -> None:
    """Import what unpickling the result imports (:mod:`optimizer.result`, no Pyomo or
    HiGHS), draw a throwaway chart (:func:`optimizer.plotting.warm_draw`) and render one
    template: what a process's first report pays once, paid while the parent solves."""
    import optimizer.result  # noqa: F401
    from optimizer.plotting import warm_draw
    from optimizer.report.env import render

    warm_draw()
    render("table.html.j2", rows=[{"a": 1.5}], columns=["a"])


class ReportProcess:
    """A forked process holding the imported report stack, ready to render one report."""

    def __init__(self, proc: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self._proc = proc
        self._conn: Connection | None = conn
        self._pending: Path | None = None

    @classmethod
    def start(cls) -> ReportProcess | None:
        """Fork the report process, or None where it would not pay or is not safe: one
        core, no core idle (1-minute load average above cores − 1: the second process
        would only add its own imports), no ``fork`` start method, or other threads running
        in this process (a fork copies only the calling thread)."""
        if not fork_is_safe() or not core_idle(_cores(), _load()) or _imported():
            return None
        try:
            ctx = multiprocessing.get_context("fork")
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, parent), daemon=True)
            proc.start()
            child.close()
        except OSError as exc:  # pragma: no cover - no processes left
            log.info("no report process (%s): the report is drawn in this process", exc)
            return None
        return cls(proc, parent)

    def warm(self) -> None:
        """Ask the child to draw a throwaway chart now (:func:`_warm_up`): worth it when
        the parent has a long solve ahead, during which the child would only wait."""
        if self._conn is None:
            return
        try:
            self._conn.send(("warm",))
        except OSError as exc:  # a dead child: submit will fall back
            log.info("report process not warmed (%s)", exc)

    def submit(
        self, result: Result, path: Path, sections: Iterable[Section] = (), week: str | None = None
    ) -> bool:
        """Send the report to the child; False (and the child is stopped) if it cannot
        take it, so the caller renders it itself."""
        if self._conn is None:
            return False
        try:
            self._conn.send(("render", result.portable(), path, list(sections), week))
        except Exception as exc:  # a result that does not pickle, a dead child
            log.info("report process not used (%s): drawing the report here", exc)
            self.close()
            return False
        self._pending = path
        return True

    def wait(self) -> Path | None:
        """The written report's path, or None if the child failed (the error is logged)."""
        conn, self._conn = self._conn, None
        path, self._pending = self._pending, None
        if conn is None or path is None:
            return None
        t0 = time.perf_counter()
        try:
            reply: Any = conn.recv()
        except (EOFError, OSError):
            reply = ("error", "the report process ended without an answer")
        finally:
            conn.close()
            self._proc.join(timeout=5)
        if reply[0] == "ok":
            log.info(
                "report drawn by the report process in %.2f s (waited %.2f s for it)",
                reply[2],
                time.perf_counter() - t0,
            )
            return Path(reply[1])
        log.warning("report process failed (%s): drawing the report here", reply[1])
        return None

    def close(self) -> None:
        """Stop the child (it exits when its pipe closes)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        self._proc.join(timeout=5)
        if self._proc.is_alive():  # pragma: no cover - a child stuck in an import
            self._proc.terminate()
