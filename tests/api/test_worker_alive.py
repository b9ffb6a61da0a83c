"""The worker's check that its server still runs (psutil): live, zombie, reaped, not ours."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from api import worker


def test_live_process_is_alive() -> None:
    assert worker._server_alive(os.getpid())


def test_zombie_and_reaped_processes_are_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    # not reaped yet: a zombie, which must count as gone
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the child never exited"
        time.sleep(0.02)
    assert not worker._server_alive(child.pid)
    child.wait()
    assert not worker._server_alive(child.pid)


def test_process_of_another_user_is_alive(monkeypatch: pytest.MonkeyPatch) -> None:
    class Denied:
        def __init__(self, pid: int) -> None:
            raise psutil.AccessDenied(pid)

    monkeypatch.setattr(worker.psutil, "Process", Denied)
    assert worker._server_alive(12345)
