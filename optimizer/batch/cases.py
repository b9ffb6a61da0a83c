"""Resolve and validate every case of a sweep before any solve; the scenario hash.

A case's **scenario hash** is the SHA-256 of the validated scenario
(``Scenario.model_dump`` as canonical JSON, with ``series.file`` left out) and of the
bytes of its series file. So editing a value or the series file changes the hash (the case
is solved again), while moving the series file, reformatting the YAML or reordering keys
does not.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimizer.batch.sweep import CaseSpec, Sweep
from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario import Scenario, load_problem
from optimizer.scenario.overrides import apply_overrides

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesFile:
    """The series file a case reads, shipped to workers by content (they need no shared
    filesystem): ``sha256`` names it, ``suffix`` keeps its format."""

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
    series: SeriesFile | None

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


def scenario_hash(scenario: Scenario, series_sha256: str | None) -> str:
    """SHA-256 of the validated scenario (without the series file's path) and its series."""
    dump = scenario.model_dump(mode="json")
    if isinstance(dump.get("series"), dict) and dump["series"].get("file") is not None:
        dump["series"]["file"] = None
    payload = json.dumps(dump, sort_keys=True, separators=(",", ":"), allow_nan=True)
    digest = hashlib.sha256(payload.encode("utf-8"))
    digest.update(b"\nseries:" + (series_sha256 or "none").encode("ascii"))
    return digest.hexdigest()


def _case_field(case_id: str, field: str) -> str:
    return f"cases[{case_id}]" + ("" if field in ("", "scenario") else f".{field}")


def _describe(spec: CaseSpec) -> str:
    if not spec.overrides:
        return spec.origin or "no overrides"
    sets = ", ".join(f"{k}={json.dumps(v)}" for k, v in spec.overrides.items())
    return f"{spec.origin}: {sets}" if spec.origin else sets


def prepare_cases(sweep: Sweep) -> list[PreparedCase]:
    """Apply, validate and resolve every case (series read and checked); raise one
    :class:`ScenarioError` that lists every invalid case, each error's field prefixed with
    ``cases[<case_id>]``."""
    errors: list[FieldError] = []
    prepared: list[PreparedCase] = []
    sha_cache: dict[Path, str] = {}
    base_dir = sweep.base_dir
    for spec in sweep.cases:
        try:
            raw = apply_overrides(sweep.base, list(spec.overrides.items()))
            problem = load_problem(raw, base_dir=base_dir)
        except ScenarioError as exc:
            where = _describe(spec)
            errors.extend(
                FieldError(
                    _case_field(spec.case_id, e.field), f"{e.message} [{where}]", e.row, e.timestamp
                )
                for e in exc.errors
            )
            continue
        series: SeriesFile | None = None
        spec_series = problem.scenario.series
        if spec_series is not None and spec_series.file is not None:
            path = (base_dir / spec_series.file).resolve()
            series = SeriesFile(path, _file_sha256(path, sha_cache), path.suffix.lower())
        digest = scenario_hash(problem.scenario, series.sha256 if series else None)
        prepared.append(PreparedCase(spec, raw, base_dir, digest, series))
    if errors:
        n_bad = len({e.field.split("]", 1)[0] for e in errors})
        log.info("%d of %d cases are invalid", n_bad, len(sweep.cases))
        raise ScenarioError(errors)
    log.info("all %d cases are valid", len(prepared))
    return prepared
