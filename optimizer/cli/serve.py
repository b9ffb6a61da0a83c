"""``dcopt serve``: the HTTP API (CONTRACT section 8) under uvicorn."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from optimizer.cli.common import EXIT_INPUT, fail, handle_errors, out


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Job files and the default SQLite database "
            "(default: DCOPT_DATA_DIR or ./dcopt-data)",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Jobs solved at once (default: DCOPT_MAX_WORKERS or 2)"),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level")] = "info",
) -> None:
    """Serve the HTTP API; OpenAPI at /openapi.json, docs at /docs. Settings: DCOPT_* (see
    docs/api.md), e.g. DCOPT_DATABASE_URL for PostgreSQL, DCOPT_API_KEYS for keys."""
    import uvicorn
    from pydantic import ValidationError

    from api.main import create_app
    from api.settings import Settings

    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if workers is not None:
        overrides["max_workers"] = workers
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"DCOPT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        fail(EXIT_INPUT, f"settings refused: {problems}")
    logging.getLogger().setLevel(getattr(logging, log_level.upper(), logging.INFO))
    app = create_app(settings)
    db = settings.resolved_database_url.split("://", 1)[0]
    out.print(
        f"dcopt API on http://{host}:{port} (docs /docs), {settings.max_workers} workers, "
        f"data in {settings.data_dir.resolve()}, records in {db}"
        + (", API keys required" if settings.api_keys else ""),
        markup=False,
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level.lower())
