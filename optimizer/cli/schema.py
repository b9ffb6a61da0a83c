"""``dcopt schema``: the scenario file's JSON Schema (docs/scenario.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from optimizer.cli.common import handle_errors, out


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of the scenario file (YAML and JSON share it)."""
    from optimizer.scenario.schema import Scenario

    doc = Scenario.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "dcopt scenario"
    return doc


@handle_errors
def schema(
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write; default stdout")
    ] = None,
) -> None:
    """Print or write the JSON Schema of the scenario file."""
    text = json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n"
    if out_path is None:
        typer.echo(text, nl=False)
        return
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text, encoding="utf-8")
    out.print(f"wrote {out_path}", markup=False)
