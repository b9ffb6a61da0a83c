"""``dcopt example [NAME] --out DIR``: write a bundled example scenario with its data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from optimizer.cli.common import handle_errors, out


def register(app: typer.Typer) -> None:
    app.command("example")(example)


@handle_errors
def example(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Example name (default: greensboro; --list shows them all)",
            show_default=False,
        ),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder")] = Path("example"),
    periods: Annotated[
        int | None,
        typer.Option(help="Keep only the first N steps (scenario and series cut together)"),
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the bundled examples")] = False,
) -> None:
    """Write a bundled example scenario (scenario.yaml, Parquet series, README of sources)."""
    from optimizer.examples import DEFAULT_EXAMPLE, EXAMPLES, write_example  # pandas

    if list_:
        for key, text in sorted(EXAMPLES.items()):
            out.print(f"{key}: {text}", markup=False)
        return
    name = name or DEFAULT_EXAMPLE
    written = write_example(name, out_dir, periods)
    out.print(f"wrote {len(written)} files to {out_dir}:", markup=False)
    for p in written:
        out.print(f"  {p}", markup=False)
    out.print(f"next: dcopt run {out_dir / 'scenario.yaml'} --out out/{name}", markup=False)
