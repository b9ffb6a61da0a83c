"""report.html rendered by a second process that got ready while the model was solved.

The report's imports (matplotlib, its Artist classes, the templates) cost about 0.46 s of
CPU and drawing it about 0.36 s on week-basic, against about 1.1 s for everything before it
(docs/performance.md, "Fixed costs of a command"). ``dcopt run`` therefore forks a report
process at its start, on a machine with a second core: the child imports the report stack
while the parent reads the scenario and solves; the parent then sends the result (without
its Pyomo model and HiGHS object: :meth:`Result.portable`, ~50 kB pickled on week-basic)
and writes summary.json and dispatch.parquet while the child draws.

The child first reads the scenario for the parent (:meth:`ReportProcess.load`): it
imports the reading stack (pandas, pydantic, the schema) and, on a scenario with a weather
file, pvlib, and computes the weather-derived profiles while the parent imports Pyomo and
HiGHS; the parent takes the resolved :class:`~optimizer.scenario.Problem` back through the
pipe (:meth:`ReportProcess.loaded`). On the bundled example that is 0.8 s of reading (pvlib's
import alone 0.33 s) beside the parent's 0.6 s of imports (docs/performance.md, "Reading
the scenario in the report process").

Any failure of the child (it could not start, it died, the result did not pickle, the
render raised, the scenario was refused) falls back to doing that work in this process, so
the report is written either way and a refused scenario gets the very error a reading here
gives; the child's error is logged. The child exits when its pipe closes (the parent ended
or was killed) or after one report.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import sys
import time
import warnings
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimizer.machine import (
    available_cores,
    core_idle,
    fork_is_safe,
    load_average,
    others_running,
)

if TYPE_CHECKING:
    from optimizer.report.sections import Section
    from optimizer.scenario import Problem
    from optimizer.solve import Result

log = logging.getLogger(__name__)


def _cores() -> int:
    return available_cores()


def _load() -> float:
    """How busy the machine is now: the threads running besides this one, else (no
    ``/proc/loadavg``) the 1-minute load average."""
    now = others_running()
    return float(now) if now is not None else load_average() or 0.0


def _imported() -> bool:
    """The report stack is already imported here: drawing in this process costs no more."""
    return "optimizer.report.page" in sys.modules


FIRST_MESSAGE_SECONDS = 1.0
"""How long the child waits, its reading stack imported, for ``dcopt run`` to ask for the
scenario (:meth:`ReportProcess.load`; sent some 0.1 s after the fork, once the command line
has parsed its arguments) before it imports the report stack anyway."""


def _serve(conn: Connection, other: Connection) -> None:
    """The child: import the reading stack, read the scenario if asked to, import the report
    stack, then render the one report it is sent."""
    other.close()
    t0 = time.perf_counter()
    try:
        from optimizer.gcpause import importing

        with importing():
            from optimizer.scenario import load_problem  # noqa: F401  (the reading stack)
    except Exception as exc:  # pragma: no cover - reported to the parent
        conn.send(("error", f"import failed: {exc!r}"))
        return
    msg: Any = None
    try:
        if conn.poll(FIRST_MESSAGE_SECONDS):
            msg = conn.recv()
    except (EOFError, OSError):
        return
    if msg is not None and msg[0] == "load":
        _load_for_parent(conn, msg)
        msg = None
    t1 = time.perf_counter()
    try:
        with importing():
            from optimizer.report import (
                page,  # noqa: F401  (matplotlib and the figures)
                write_report,
            )
    except Exception as exc:  # pragma: no cover - reported to the parent
        conn.send(("error", f"import failed: {exc!r}"))
        return
    imported = time.perf_counter() - t1
    while True:
        if msg is None:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                return
        if msg[0] == "load":  # asked late (a slow start of the parent's command line)
            _load_for_parent(conn, msg)
        elif msg[0] == "warm":
            try:
                _warm_up()
            except Exception:  # pragma: no cover - only a speed-up
                log.debug("report warm-up failed", exc_info=True)
        else:
            break
        msg = None
    if msg[0] != "render":
        return
    _, result, path, sections, week, logs = msg
    _adopt_logging(logs)
    from optimizer.report import split

    split.ENABLED = True  # this process's parent only waits now: a core to draw beside it
    log.debug(
        "report process: the report stack imported in %.2f s, the result arrived %.2f s "
        "after the fork",
        imported,
        time.perf_counter() - t0,
    )
    try:
        t0 = time.perf_counter()
        written = write_report(result, path, sections, week=week)
        conn.send(("ok", str(written), time.perf_counter() - t0))
    except Exception as exc:
        conn.send(("error", repr(exc)))


_Warned = tuple[str, type[Warning], str, int]
"""A warning raised while reading: message, category, file, line."""


def _load_for_parent(conn: Connection, msg: tuple[Any, ...]) -> None:
    """Read the scenario of a ``("load", path, overrides, logs)`` message and send back
    ``("loaded", problem, seconds, records, warnings)``, or ``("load-failed", why)`` for
    the parent to read it itself (a refused scenario then gets the parent's own error and
    exit code). The log records and warnings of the reading are not written here but sent,
    for the parent to emit through its own handlers and filters (a command line run in a
    test writes to a captured stream this process has only a copy of)."""
    import queue
    from logging.handlers import QueueHandler

    _, path, overrides, logs = msg
    _adopt_logging(logs)
    root = logging.getLogger()
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    saved, root.handlers = root.handlers, [QueueHandler(records)]
    t0 = time.perf_counter()
    reply: tuple[Any, ...]
    try:
        from optimizer.gcpause import importing
        from optimizer.scenario import load_problem

        with warnings.catch_warnings(record=True) as caught, importing():
            warnings.simplefilter("always")  # the parent's filters decide (loaded())
            problem = load_problem(Path(path), overrides=overrides)
        warned: list[_Warned] = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
        lines = [records.get_nowait() for _ in range(records.qsize())]
        reply = ("loaded", problem, time.perf_counter() - t0, lines, warned)
    except Exception as exc:
        reply = ("load-failed", repr(exc))
    finally:
        root.handlers = saved
    try:
        conn.send(reply)
    except (EOFError, OSError):  # the parent is gone
        return
    except Exception as exc:  # a problem that does not pickle
        conn.send(("load-failed", f"not sent: {exc!r}"))


_Logs = tuple[int, dict[str, int], str | None]
"""The parent's logging: the root level, the levels set on its named loggers, the first
root handler's format."""


def _logging_now() -> _Logs:
    root = logging.getLogger()
    named = {
        name: logger.level
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET
    }
    formatter = root.handlers[0].formatter if root.handlers else None
    return root.level, named, formatter._fmt if formatter is not None else None


def _adopt_logging(logs: _Logs) -> None:
    """The child's logging as the parent's: a process forked before the command line set
    its logging (optimizer/launch.py) would else drop its -v and -vv lines."""
    root_level, named, fmt = logs
    root = logging.getLogger()
    if not root.handlers and fmt is not None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(fmt))
        root.addHandler(handler)
    root.setLevel(root_level)
    for name, level in named.items():
        logging.getLogger(name).setLevel(level)


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
        self._loading = False

    @classmethod
    def start(cls) -> ReportProcess | None:
        """Fork the report process, or None where it would not pay or is not safe: one
        core, no core idle (more threads running besides this one than cores − 1: the
        second process would only add its own imports), no ``fork`` start method, or other
        threads running in this process (a fork copies only the calling thread)."""
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

    @classmethod
    def fork_early(cls) -> None:
        """Fork now (:meth:`start`), for :meth:`claim` to hand to ``dcopt run`` later
        (:mod:`optimizer.launch`)."""
        global _early
        if _early is None:
            _early = cls.start()

    @classmethod
    def claim(cls) -> ReportProcess | None:
        """The process :meth:`fork_early` made, else a new one (:meth:`start`)."""
        global _early
        early, _early = _early, None
        return early if early is not None else cls.start()

    def load(self, scenario: Path, overrides: Iterable[str] = ()) -> None:
        """Ask the child to read ``scenario`` with ``overrides`` (:func:`load_problem`)
        while this process imports the solver stack; :meth:`loaded` takes the answer."""
        if self._conn is None:
            return
        try:
            self._conn.send(("load", str(scenario), list(overrides), _logging_now()))
        except OSError as exc:  # a dead child: loaded() gives None, submit falls back
            log.info("report process cannot read the scenario (%s)", exc)
            return
        self._loading = True

    def loaded(self) -> Problem | None:
        """The problem the child read for :meth:`load`, or None (not asked, refused, the
        child failed): the caller then reads the scenario itself."""
        if not self._loading or self._conn is None:
            return None
        self._loading = False
        t0 = time.perf_counter()
        try:
            reply: Any = self._conn.recv()
        except Exception as exc:  # died, or a reply that does not unpickle here
            log.info("report process did not read the scenario (%s): reading it here", exc)
            self.close()
            return None
        if reply[0] != "loaded":
            log.info("report process did not read the scenario (%s): reading it here", reply[1])
            if reply[0] != "load-failed":  # the child is not serving: stop it
                self.close()
            return None
        _, problem, seconds, records, warned = reply
        for record in records:  # the reading's lines, through this process's handlers
            logging.getLogger(record.name).handle(record)
        for text, category, filename, lineno in warned:
            warnings.warn_explicit(text, category, filename, lineno)
        log.debug(
            "scenario read by the report process in %.2f s (waited %.2f s for it)",
            seconds,
            time.perf_counter() - t0,
        )
        return problem

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
            self._conn.send(
                ("render", result.portable(), path, list(sections), week, _logging_now())
            )
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
        """Stop the child (it exits when its pipe closes). One that was sent no report is
        only importing or waiting: it is terminated at once, not waited for (a run whose
        input is refused ended 1.2 s after its start against 0.7 s for ``dcopt validate``,
        waiting for the child's imports)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if self._pending is None and self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(timeout=5)
        if self._proc.is_alive():  # pragma: no cover - a child stuck in an import
            self._proc.terminate()


_early: ReportProcess | None = None
"""Forked by :meth:`ReportProcess.fork_early` and not yet claimed."""
