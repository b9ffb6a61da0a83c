"""What this machine offers a helper process or thread: its cores, its load, whether a fork
is sound. Standard library only, so that a command can ask before it imports anything
heavy (``dcopt run`` forks its report process on the answer: optimizer/report/process.py).
"""

from __future__ import annotations

import os
import sys
import threading


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity; all of them elsewhere)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_average() -> float | None:
    """The 1-minute load average, or None where the platform has none."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def fork_is_safe() -> bool:
    """A forked child would be sound: Linux (``fork``), and no other thread in this process
    (a fork copies only the calling thread; a lock held by another one would never be
    released in the child)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def core_idle(cores: int | None = None, load: float | None = None) -> bool:
    """A second core is free for a helper process: at least 2 cores and a 1-minute load
    average ≤ cores − 1 (``cores``/``load`` default to :func:`available_cores` and
    :func:`load_average`; an unknown load counts as 0)."""
    n = available_cores() if cores is None else cores
    busy = (load_average() or 0.0) if load is None else load
    return n >= 2 and busy <= n - 1


def others_running() -> int | None:
    """Threads runnable on the machine at this instant besides the caller (the fourth field
    of Linux's ``/proc/loadavg``, less one), or None where there is no such file. Unlike
    the 1-minute load average it does not count a process that has just ended: a second
    ``dcopt run`` started right after a first saw a load of ~1.0 on 2 cores, still busy
    with the first run's last minute."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(0, running - 1)
