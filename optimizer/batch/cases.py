"""Resolve and validate every case of a sweep before any solve; the scenario hash.

A case's **scenario hash** is the SHA-256 of the validated scenario
(``Scenario.model_dump`` as canonical JSON, with the paths of its input files left out) and
of the bytes of its input files (``series.file``, ``weather.file``). So editing a value or
an input file changes the hash (the case is solved again), while moving the files,
reformatting the YAML or reordering keys does not. A ``pvlib:NAME`` weather file is a file
bundled with pvlib: its name stays in the hash.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.batch.sweep import CaseSpec, Sweep
from optimizer.batch.worker import keep_validated
from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario import Scenario, load_problem
from optimizer.scenario.overrides import apply_overrides

log = logging.getLogger(__name__)


_FILE_SECTIONS = ("series", "weather")
"""Scenario sections with a ``file`` relative to the scenario file."""


@dataclass(frozen=True)
class InputFile:
    """An input file a case reads (``<section>.file``), shipped to workers by content so they
    need no shared filesystem: ``sha256`` names it, ``suffix`` keeps its format."""

    section: str
    path: Path
    sha256: str
    suffix: str


@dataclass(frozen=True)
class PreparedCase:
    """A validated case, ready to be sent to a worker."""

    spec: CaseSpec
    scenario: dict[str, Any]
    """The raw scenario mapping with the case's overrides applied (picklable)."""
    base_dir: Path
    scenario_hash: str
    files: tuple[InputFile, ...] = ()

    @property
    def case_id(self) -> str:
        return self.spec.case_id


def _file_sha256(path: Path, cache: dict[Path, str]) -> str:
    if path not in cache:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        cache[path] = digest.hexdigest()
    return cache[path]


def _file_of(scenario: Scenario, section: str) -> str | None:
    """The user-given file of a section (None: no file, or a pvlib-bundled one)."""
    spec = getattr(scenario, section, None)
    name = getattr(spec, "file", None) if spec is not None else None
    if not isinstance(name, str) or name.startswith("pvlib:"):
        return None
    return name


def input_files(
    scenario: Scenario, base_dir: Path, cache: dict[Path, str] | None = None
) -> tuple[InputFile, ...]:
    """The files a validated scenario reads, with the SHA-256 of their bytes."""
    cache = {} if cache is None else cache
    out: list[InputFile] = []
    for section in _FILE_SECTIONS:
        name = _file_of(scenario, section)
        if name is not None:
            path = (base_dir / name).resolve()
            out.append(InputFile(section, path, _file_sha256(path, cache), path.suffix.lower()))
    return tuple(out)


def scenario_hash(scenario: Scenario, files: tuple[InputFile, ...] = ()) -> str:
    """SHA-256 of the validated scenario (without its files' paths) and its files' bytes."""
    dump = scenario.model_dump(mode="json")
    for f in files:
        dump[f.section]["file"] = None
    payload = json.dumps(dump, sort_keys=True, separators=(",", ":"), allow_nan=True)
    digest = hashlib.sha256(payload.encode("utf-8"))
    for f in sorted(files, key=lambda f: f.section):
        digest.update(f"\n{f.section}.file:{f.sha256}".encode("ascii"))
    return digest.hexdigest()


def _case_field(case_id: str, field: str) -> str:
    return f"cases[{case_id}]" + ("" if field in ("", "scenario") else f".{field}")


def _describe(spec: CaseSpec) -> str:
    if not spec.overrides:
        return spec.origin or "no overrides"
    sets = ", ".join(f"{k}={json.dumps(v)}" for k, v in spec.overrides.items())
    return f"{spec.origin}: {sets}" if spec.origin else sets


def _prepare_chunk(
    base: dict[str, Any], base_dir: Path, specs: list[CaseSpec], keep: bool = False
) -> list[PreparedCase | list[FieldError]]:
    """Validate some cases (in a worker process or here): each a case or its errors.
    ``keep``: keep each validated problem in this process for its solve, if the solve
    runs here (:func:`~optimizer.batch.worker.keep_validated`)."""
    out: list[PreparedCase | list[FieldError]] = []
    sha_cache: dict[Path, str] = {}
    for spec in specs:
        try:
            raw = apply_overrides(base, list(spec.overrides.items()))
            problem = load_problem(raw, base_dir=base_dir)
        except ScenarioError as exc:
            where = _describe(spec)
            out.append(
                [
                    FieldError(
                        _case_field(spec.case_id, e.field),
                        f"{e.message} [{where}]",
                        e.row,
                        e.timestamp,
                    )
                    for e in exc.errors
                ]
            )
            continue
        files = input_files(problem.scenario, base_dir, sha_cache)
        digest = scenario_hash(problem.scenario, files)
        if keep:
            keep_validated(digest, problem)
        out.append(PreparedCase(spec, raw, base_dir, digest, files))
    return out


def prepare_cases(
    sweep: Sweep, executor: cf.Executor | None = None, chunks: int = 1, keep: bool = False
) -> list[PreparedCase]:
    """Apply, validate and resolve every case (input files read and checked); raise one
    :class:`ScenarioError` that lists every invalid case, each error's field prefixed with
    ``cases[<case_id>]``. With a local ``executor`` the cases are checked in ``chunks``
    parts in parallel (the order of cases and errors stays the sweep's). ``keep``: the
    process that validates a case keeps its problem for the solve (:func:`_prepare_chunk`),
    so a case solved where it was validated is loaded and validated once."""
    specs = sweep.cases
    if executor is None or chunks <= 1 or len(specs) < 2:
        parts = [_prepare_chunk(sweep.base, sweep.base_dir, specs, keep)]
    else:
        size = -(-len(specs) // chunks)
        groups = [specs[i : i + size] for i in range(0, len(specs), size)]
        parts = list(
            executor.map(
                _prepare_chunk,
                [sweep.base] * len(groups),
                [sweep.base_dir] * len(groups),
                groups,
                [keep] * len(groups),
            )
        )
    errors: list[FieldError] = []
    prepared: list[PreparedCase] = []
    n_bad = 0
    for part in parts:
        for item in part:
            if isinstance(item, PreparedCase):
                prepared.append(item)
            else:
                n_bad += 1
                errors.extend(item)
    if errors:
        log.info("%d of %d cases are invalid", n_bad, len(specs))
        raise ScenarioError(errors)
    log.info("all %d cases are valid", len(prepared))
    return prepared
