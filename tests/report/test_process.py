"""The report process of ``dcopt run`` (optimizer/report/process.py): it writes the same page
as this process would, and any failure of it still leaves a report written here."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from optimizer.output import write_result
from optimizer.report import process as rp
from optimizer.report import render_report
from tests.report.conftest import started_report_process


def test_child_writes_the_page_this_process_would(solved_case, tmp_path, idle_machine) -> None:  # type: ignore[no-untyped-def]
    result = solved_case("week-basic")
    proc = started_report_process()
    written = write_result(result, tmp_path, report_process=proc)
    assert written == [
        tmp_path / "summary.json",
        tmp_path / "dispatch.parquet",
        tmp_path / "report.html",
    ]
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == render_report(result)
    assert not proc._proc.is_alive()


def test_warmed_child_writes_the_same_page(solved_case, tmp_path, idle_machine) -> None:  # type: ignore[no-untyped-def]
    """Told to warm up (a long solve ahead), the child draws a throwaway chart first; the
    page it then writes is still this process's, byte for byte."""
    result = solved_case("week-basic")
    proc = started_report_process()
    proc.warm()
    proc.warm()  # a second request is harmless
    write_result(result, tmp_path, report_process=proc)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == render_report(result)
    assert not proc._proc.is_alive()


def test_warm_up_draws_in_this_process_too() -> None:
    rp._warm_up()  # what the child runs: no error, no file


def test_result_portable_keeps_flows_and_drops_the_model(solved_case) -> None:  # type: ignore[no-untyped-def]
    result = solved_case("week-basic")
    portable = result.portable()
    assert portable.built is None and portable.lp is None
    assert [f.column for f in portable.flows] == [f.column for f in result.flows]
    assert len(list(portable.flows)) > 0
    assert render_report(portable) == render_report(result)


def test_dead_child_falls_back_to_this_process(solved_case, tmp_path: Path, idle_machine) -> None:  # type: ignore[no-untyped-def]
    proc = started_report_process()
    proc._proc.kill()
    proc._proc.join(timeout=10)
    result = solved_case("week-basic")
    written = write_result(result, tmp_path, report_process=proc)
    assert tmp_path / "report.html" in written
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == render_report(result)


def test_unpicklable_result_falls_back(solved_case, tmp_path: Path, idle_machine) -> None:  # type: ignore[no-untyped-def]
    proc = started_report_process()
    result = solved_case("week-basic")
    bad = dataclasses.replace(result, diagnosis={"not picklable": threading.Lock()})
    written = write_result(bad, tmp_path, report_process=proc)
    assert (tmp_path / "report.html") in written
    assert "week" in (tmp_path / "report.html").read_text(encoding="utf-8").lower()
    assert not proc._proc.is_alive()


def test_no_process_where_it_would_not_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    """One core, every core busy, or the report stack already imported here: the report is
    drawn in this process (None); two idle cores: a process."""
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(rp, "_imported", lambda: False)
    monkeypatch.setattr(rp, "_cores", lambda: 1)
    monkeypatch.setattr(rp, "_load", lambda: 0.0)
    assert rp.ReportProcess.start() is None
    monkeypatch.setattr(rp, "_cores", lambda: 2)
    monkeypatch.setattr(rp, "_load", lambda: 1.5)
    assert rp.ReportProcess.start() is None
    monkeypatch.setattr(rp, "_load", lambda: 0.0)
    monkeypatch.setattr(rp, "_imported", lambda: True)
    assert rp.ReportProcess.start() is None
    monkeypatch.setattr(rp, "_imported", lambda: False)
    proc = rp.ReportProcess.start()
    assert proc is not None
    proc.close()
    assert not proc._proc.is_alive()


def test_launch_forks_only_for_a_run_that_draws_a_report() -> None:
    """optimizer/launch.py reads the command as typer will: the first word without a dash;
    ``--screening`` draws no report and ``--help`` runs nothing."""
    from optimizer.launch import _draws_a_report

    assert _draws_a_report(["run", "s.yaml", "--out", "o"])
    assert _draws_a_report(["-vv", "run", "s.yaml"])
    assert not _draws_a_report(["run", "--help"])
    assert not _draws_a_report(["run", "s.yaml", "--screening"])
    assert not _draws_a_report(["validate", "s.yaml"])
    assert not _draws_a_report(["--help"])
    assert not _draws_a_report([])


def test_an_early_process_is_claimed_once(idle_machine) -> None:  # type: ignore[no-untyped-def]
    """``fork_early`` (at the entry point) forks; the run's ``claim`` takes that process;
    a second claim forks a new one."""
    rp.ReportProcess.fork_early()
    early = rp._early
    assert early is not None
    first = rp.ReportProcess.claim()
    assert first is early and rp._early is None
    second = rp.ReportProcess.claim()
    assert second is not None and second is not early
    for proc in (second, first):  # the second inherited the first's pipe: closed first
        proc.close()
        assert not proc._proc.is_alive()


def test_the_child_logs_as_the_parent_does(
    solved_case, tmp_path, idle_machine, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """The levels this process set reach the child with the result (a child forked before
    the command line configured its logging would else drop -v's lines)."""
    import logging

    logging.getLogger("optimizer.report").setLevel(logging.DEBUG)
    try:
        root_level, named, _ = rp._logging_now()
        assert named["optimizer.report"] == logging.DEBUG
        rp._adopt_logging((logging.WARNING, {"optimizer.report.x": logging.INFO}, None))
        assert logging.getLogger("optimizer.report.x").level == logging.INFO
        assert logging.getLogger().level == logging.WARNING
    finally:
        logging.getLogger("optimizer.report").setLevel(logging.NOTSET)
        logging.getLogger("optimizer.report.x").setLevel(logging.NOTSET)
        logging.getLogger().setLevel(root_level)


def test_a_page_drawn_in_two_processes_is_the_same(solved_case, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """optimizer/report/split.py: the dispatch and CFE sections drawn by a forked copy give
    the page drawn in turn, byte for byte."""
    from optimizer.report import split

    result = solved_case("week-basic").portable()
    alone = render_report(result)
    monkeypatch.setattr(split, "ENABLED", True)
    monkeypatch.setattr(split, "fork_is_safe", lambda: True)
    monkeypatch.setattr(split, "available_cores", lambda: 2)
    calls: list[int] = []
    real = split._forked
    monkeypatch.setattr(split, "_forked", lambda jobs, aside: calls.append(1) or real(jobs, aside))
    assert render_report(result) == alone
    assert calls == [1]


def test_a_failed_copy_leaves_its_sections_to_this_process(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A job that fails in the copy is run here: the answer is still every job's, in order."""
    import os

    from optimizer.report import split

    parent = os.getpid()

    def fragile() -> str:
        if os.getpid() != parent:
            raise RuntimeError("only in the copy")
        return "b"

    monkeypatch.setattr(split, "ENABLED", True)
    monkeypatch.setattr(split, "fork_is_safe", lambda: True)
    monkeypatch.setattr(split, "available_cores", lambda: 2)
    assert split.render_sections([lambda: "a", fragile, lambda: "c"], aside=[1]) == ["a", "b", "c"]
    assert (
        split.render_sections([lambda: "a", lambda: "x" * 200_000], aside=[1])[1] == "x" * 200_000
    )


def test_a_failure_here_still_reaps_the_copy(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A job of this process that raises: the error is this process's, and the copy has
    been read and reaped (no child left behind)."""
    import os

    from optimizer.report import split

    monkeypatch.setattr(split, "ENABLED", True)
    monkeypatch.setattr(split, "fork_is_safe", lambda: True)
    monkeypatch.setattr(split, "available_cores", lambda: 2)

    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)

    def broken() -> str:
        raise ValueError("here")

    with pytest.raises(ValueError, match="here"):
        split.render_sections([broken, lambda: "b"], aside=[1])
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):  # already reaped
        os.waitpid(forked[0], os.WNOHANG)
