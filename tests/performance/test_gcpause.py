"""optimizer.gcpause: the cyclic collector paused while a model is built (main thread only)."""

from __future__ import annotations

import gc
import threading

from optimizer.gcpause import gc_paused, paused


def test_paused_in_the_main_thread_and_restored() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():  # re-entrant
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_other_threads_leave_the_collector_alone() -> None:
    seen: list[bool] = []

    @gc_paused
    def build() -> int:
        seen.append(gc.isenabled())
        return 7

    t = threading.Thread(target=build)
    t.start()
    t.join()
    assert seen == [True]
    assert build() == 7 and seen == [True, False]
    assert gc.isenabled()
