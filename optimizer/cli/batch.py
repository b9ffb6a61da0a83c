"""``dcopt batch SWEEP --out DIR [--workers N] [--scheduler ADDRESS]`` (CONTRACT section 7)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from optimizer.cli.common import OutDir, err, handle_errors, out

if TYPE_CHECKING:
    from rich.progress import Progress

    from optimizer.batch.worker import CaseOutcome


def register(app: typer.Typer) -> None:
    app.command("batch")(batch)


def _where(workers: int | None, scheduler: str | None, n_cases: int) -> str:
    if scheduler:
        return f"on the Dask cluster at {scheduler}"
    import os

    n = workers if workers is not None else (os.cpu_count() or 1)
    if n == 1:
        return "in this process"
    return f"on {min(n, n_cases)} local worker processes"


def _case_line(o: CaseOutcome) -> str:
    s = o.summary
    if o.status in ("optimal", "time_limit") and s.get("total_cost") is not None:
        cfe = s.get("cfe_score")
        extra = f"total_cost={s['total_cost']:,.0f} cfe={cfe:.3f}" if cfe is not None else ""
        return f"{o.case_id} {o.status} {extra}".rstrip()
    return f"{o.case_id} {o.status}: {o.message}"


@handle_errors
def batch(
    sweep: Annotated[Path, typer.Argument(help="Sweep file (YAML): base scenario and cases")],
    out_dir: OutDir,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", "-w", min=1, help="Local worker processes (default: the machine's cores)"
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a Dask scheduler, e.g. tcp://10.0.0.5:8786"),
    ] = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed", help="Solve again cases that ended time_limit, error or failed"
        ),
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html for every case (slow)")
    ] = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit per case, seconds")
    ] = None,
) -> None:
    """Run every case of a sweep; write DIR/results.parquet and DIR/cases/<case_id>/.

    Running the same command again skips finished cases, so an interrupted batch resumes.
    """
    from optimizer.batch import BatchInterrupted, plan_batch, run_plan

    if scheduler and workers is not None:
        err.print("note: --workers is ignored with --scheduler (the cluster has its workers)")
    plan = plan_batch(sweep, out_dir, retry_failed=retry_failed, workers=workers)
    n_all, n_run = len(plan.cases), len(plan.to_run)
    head = f"{n_all} cases; {len(plan.finished)} finished earlier"
    if plan.retried:
        head += f" ({plan.retried} to retry)"
    head += f"; solving {n_run}" + (f" {_where(workers, scheduler, n_run)}" if n_run else "")
    err.print(head, markup=False, soft_wrap=True)

    t0 = time.monotonic()
    progress: Progress | None = None
    if n_run and err.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err,
            transient=False,
        )
    task_id = progress.add_task("solving", total=n_run) if progress is not None else None

    def on_case(outcome: CaseOutcome, done: int, total: int) -> None:
        if progress is not None and task_id is not None:
            progress.update(task_id, completed=done, description=outcome.case_id)
            if outcome.status != "optimal":
                progress.console.print(_case_line(outcome), markup=False)
            return
        elapsed = time.monotonic() - t0
        eta = elapsed / done * (total - done)
        width = len(str(total))
        err.print(
            f"[{done:>{width}}/{total}] {_case_line(outcome)} "
            f"(elapsed {elapsed:,.0f} s, ETA {eta:,.0f} s)",
            markup=False,
            soft_wrap=True,
        )

    try:
        try:
            frame = run_plan(
                plan,
                workers=workers,
                scheduler=scheduler,
                write_report=report,
                time_limit_seconds=time_limit,
                on_case=on_case,
                # the bar's refresh thread starts after the local workers are forked
                on_start=progress.start if progress is not None else None,
            )
        finally:
            if progress is not None:
                progress.stop()
    except BatchInterrupted as exc:
        err.print(
            f"interrupted: {exc.finished} of {exc.total} cases finished and kept in "
            f"{out_dir / 'cases'}; run the same command again to resume",
            markup=False,
        )
        raise typer.Exit(130) from None

    text = (out_dir / "summary.txt").read_text(encoding="utf-8").rstrip()
    out.print(text, markup=False, soft_wrap=True)
    out.print(
        f"wrote {out_dir / 'results.parquet'} ({len(frame)} rows), {out_dir / 'summary.png'}, "
        f"{out_dir / 'cases'}/<case_id>/",
        markup=False,
        soft_wrap=True,
    )
    failed = int((frame["status"] == "failed").sum())
    if failed:
        err.print(
            f"{failed} cases failed (status 'failed' in results.parquet); "
            "run again with --retry-failed to solve them again",
            markup=False,
        )
