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


def test_one_model_freezes_what_a_build_made_before_the_collector_is_back(
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """optimizer.gcpause.one_model: inside it an outermost pause ends with ``gc.freeze``
    while the collector is still off (so no collection scans the build's objects first);
    a nested pause does not freeze, and outside the block nothing is frozen."""
    from optimizer import gcpause

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(gc.isenabled()))
    with paused():
        pass
    assert frozen == []
    with gcpause.one_model():
        with paused():
            with paused():
                pass
            assert frozen == []  # the inner block left the collector off: no freeze yet
        assert frozen == [False]  # frozen once, before gc.enable
        assert gc.isenabled()
    with paused():
        pass
    assert frozen == [False]  # the flag is restored on leaving


def test_importing_freezes_before_the_collector_is_back(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """optimizer.gcpause.importing: the freeze happens with the collector still off."""
    import sys

    from optimizer import gcpause

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(gc.isenabled()))
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    with gcpause.importing():
        import colorsys  # noqa: F401
    assert frozen == [False]
    assert gc.isenabled()
