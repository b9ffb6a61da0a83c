"""Two of report.html's sections drawn in a second process, beside the others.

The report process of ``dcopt run`` (optimizer/report/process.py) draws the page after the
solve, when the parent has nothing left to do but wait for it: on a machine with a second
core, :func:`render_sections` forks a copy of that process (imports done, the first chart
drawn) for the dispatch and CFE sections while it draws the monthly, price and table
sections itself, and takes the copy's HTML back through a pipe. Measured in one process,
warm (2026-12-02): the dispatch section 0.11–0.20 s of a 0.30–0.37 s page on week-basic
and year-cfe90, the monthly and price sections 0.15–0.24 s between them.

Only where :data:`ENABLED` was set (the report process sets it) and a fork is sound
(Linux, this process's only thread); anywhere else, and when the copy fails, every section
is drawn here in turn. The page is the same either way (tests/report/test_process.py).
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable, Sequence

from optimizer.machine import available_cores, fork_is_safe

log = logging.getLogger(__name__)

ENABLED = False
"""Set by the report process; the API, batch and library callers draw in turn."""


def render_sections(jobs: Sequence[Callable[[], str]], aside: Sequence[int]) -> list[str]:
    """Every job's HTML, in order; the jobs at the indices ``aside`` drawn by a forked
    copy of this process when :data:`ENABLED` and a fork is sound."""
    if not (ENABLED and aside and fork_is_safe() and available_cores() >= 2):
        return [job() for job in jobs]
    theirs = _forked(jobs, sorted(set(aside)))
    return [theirs[k] if k in theirs else job() for k, job in enumerate(jobs)]


def _forked(jobs: Sequence[Callable[[], str]], aside: list[int]) -> dict[int, str]:
    """The HTML of the jobs ``aside`` from a forked copy, while this process runs the
    others (see :func:`render_sections`); {} when the copy fails (its jobs then run here)."""
    try:
        read, write = os.pipe()
        pid = os.fork()
    except OSError as exc:
        log.info("no second report process (%s)", exc)
        return {}
    if pid == 0:  # the copy: its jobs, the HTML down the pipe, and out without cleanup
        code = 0
        try:
            os.close(read)
            payload = pickle.dumps({k: jobs[k]() for k in aside})
        except BaseException as exc:
            payload = pickle.dumps(repr(exc))
            code = 1
        try:
            with os.fdopen(write, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(code)
    os.close(write)
    try:
        mine = {k: jobs[k]() for k in range(len(jobs)) if k not in aside}
    finally:  # also when one of this process's jobs raised: the copy is read and reaped
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
    try:
        theirs = pickle.loads(data) if data else "no answer"
    except Exception as exc:  # a truncated payload: the copy died
        theirs = repr(exc)
    if not isinstance(theirs, dict):
        log.warning("the second report process failed (%s): drawing its sections here", theirs)
        theirs = {}
    return {**theirs, **mine}
