"""The sweep file (CONTRACT section 7): a base scenario and the cases to run from it.

```yaml
base: scenarios/campus.yaml        # relative to the sweep file
zip:                               # lists of equal length, taken element by element
  ppa_offers[wind-a].price_per_mwh: [44, 48, 52]
  ppa_offers[wind-a].max_mw: [100, 150, 200]
product:                           # every combination of these lists
  carbon.cfe_target: [0.8, 0.9, null]
```
or ``table: cases.csv`` (CSV or Parquet, one row a case, one column a dotted path).

How the cases are formed (docs/batch.md):

- ``product`` alone: the Cartesian product of its lists, the first key varying slowest
  (``itertools.product`` in the order the keys are written).
- ``zip`` alone: row *i* takes the *i*-th value of every list; all lists have one length.
- both: every zip row crossed with every product combination, the zip row varying slowest:
  ``len(zip rows) x len(product combinations)`` cases.
- ``table``: one case a row, in file order; it cannot be combined with ``product``/``zip``.
  CSV cells are read like ``--set`` values (YAML scalars: ``52`` → 52, ``null`` → null,
  ``wind`` → "wind"); an empty cell (or a null in Parquet) leaves the base value unchanged.

Case ids are ``case-0001``, ``case-0002``, ... in that order (at least four digits), so the
same sweep file gives the same ids on every run.

The risk of a scenario set (CONTRACT 9) sweeps like any path: ``uncertainty.risk.weight``
(ω) and ``uncertainty.risk.alpha`` (α), or their short spellings ``risk.weight`` and
``risk.alpha`` (the scenario has no top-level ``risk``), which are read as the long ones.
The base scenario (or the sweep itself) must give ``uncertainty.scenarios``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from optimizer.errors import FieldError, ScenarioError
from optimizer.scenario import read_scenario_file
from optimizer.scenario.overrides import parse_path

_KEYS = ("base", "product", "zip", "table")
RISK_ALIASES = {"risk.weight": "uncertainty.risk.weight", "risk.alpha": "uncertainty.risk.alpha"}
"""Short spellings of the swept risk parameters ω and α (docs/batch.md)."""


@dataclass(frozen=True)
class CaseSpec:
    """One case of a sweep: its id and the overrides it applies to the base scenario."""

    case_id: str
    overrides: dict[str, Any]
    """Dotted path → value; a path missing here keeps the base value (table blanks)."""
    origin: str = ""
    """Where the case comes from, for messages: ``table row 3`` or ``zip row 2``."""


@dataclass(frozen=True)
class Sweep:
    """A read sweep file: the base scenario's raw mapping and every case."""

    path: Path | None
    base_path: Path
    base: dict[str, Any]
    paths: list[str]
    """Every dotted path the sweep varies, in the order of the file (results columns)."""
    cases: list[CaseSpec] = field(default_factory=list)

    @property
    def base_dir(self) -> Path:
        """The base scenario's folder: its series file is relative to it."""
        return self.base_path.parent


def case_id_for(index: int, total: int) -> str:
    """``case-0001`` for the first case; at least four digits, more for big sweeps."""
    width = max(4, len(str(total)))
    return f"case-{index + 1:0{width}d}"


def read_sweep(path: str | Path) -> Sweep:
    """Read a sweep file; every problem with it is one :class:`ScenarioError` (fields
    ``sweep.<key>``)."""
    p = Path(path)
    if not p.is_file():
        raise ScenarioError.single("sweep", f"no such file: {p}")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError.single("sweep", f"{p.name} is not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ScenarioError.single("sweep", f"{p.name} must hold a mapping of keys")
    return sweep_from_mapping(data, p.resolve().parent, path=p.resolve())


def sweep_from_mapping(
    data: Mapping[str, Any], folder: str | Path, path: Path | None = None
) -> Sweep:
    """Build a :class:`Sweep` from a mapping; ``base`` and ``table`` are relative to
    ``folder``."""
    folder = Path(folder)
    errors: list[FieldError] = []
    for key in data:
        if key not in _KEYS:
            errors.append(
                FieldError(f"sweep.{key}", f"unknown key; a sweep has {', '.join(_KEYS)}")
            )

    base_raw: dict[str, Any] = {}
    base_path = folder / "?"
    base = data.get("base")
    if not isinstance(base, str) or not base.strip():
        errors.append(FieldError("sweep.base", "is required: the path of the base scenario"))
    else:
        base_path = (folder / base).resolve()
        try:
            base_raw = read_scenario_file(base_path)
        except ScenarioError as exc:
            errors.extend(FieldError("sweep.base", e.message) for e in exc.errors)

    has_grid = data.get("product") is not None or data.get("zip") is not None
    table = data.get("table")
    rows: list[tuple[dict[str, Any], str]] = []
    paths: list[str] = []
    if table is not None and has_grid:
        errors.append(FieldError("sweep.table", "give either 'table' or 'product'/'zip', not both"))
    elif table is not None:
        if not isinstance(table, str) or not table.strip():
            errors.append(FieldError("sweep.table", "must be the path of a CSV or Parquet file"))
        else:
            paths, rows = _read_table(folder / table, table, errors)
    elif has_grid:
        paths, rows = _grid(data.get("zip"), data.get("product"), errors)
    else:
        errors.append(FieldError("sweep", "no cases: give 'product' and/or 'zip', or a 'table'"))

    paths, rows = _canonical_risk(paths, rows, errors)
    for dotted in paths:
        try:
            parse_path(dotted)
        except ValueError as exc:
            errors.append(FieldError(f"sweep.{dotted}", f"is not a dotted path: {exc}"))
    if base_raw and not errors:
        errors.extend(_risk_needs_scenarios(base_raw, paths, rows))
    if not errors and not rows:
        errors.append(FieldError("sweep", "the sweep has no cases"))
    if errors:
        raise ScenarioError(errors)
    cases = [
        CaseSpec(case_id_for(i, len(rows)), overrides, origin)
        for i, (overrides, origin) in enumerate(rows)
    ]
    return Sweep(path, base_path, base_raw, paths, cases)


def _canonical_risk(
    paths: list[str], rows: list[tuple[dict[str, Any], str]], errors: list[FieldError]
) -> tuple[list[str], list[tuple[dict[str, Any], str]]]:
    """``risk.weight``/``risk.alpha`` read as ``uncertainty.risk.weight``/``alpha``."""
    if not any(p in RISK_ALIASES for p in paths):
        return paths, rows
    for short, long in RISK_ALIASES.items():
        if short in paths and long in paths:
            errors.append(FieldError(f"sweep.{short}", f"is {long}; give it once"))
    new_paths = [RISK_ALIASES.get(p, p) for p in paths]
    new_rows = [({RISK_ALIASES.get(k, k): v for k, v in o.items()}, origin) for o, origin in rows]
    return new_paths, new_rows


def _risk_needs_scenarios(
    base: Mapping[str, Any], paths: list[str], rows: list[tuple[dict[str, Any], str]]
) -> list[FieldError]:
    """A swept ω or α needs a scenario set: the base's ``uncertainty.scenarios`` or one the
    sweep sets in every case."""
    risky = [p for p in paths if p.startswith("uncertainty.risk")]
    if not risky:
        return []
    unc = base.get("uncertainty")
    if isinstance(unc, Mapping) and unc.get("scenarios"):
        return []
    if all(
        any(k == "uncertainty" or k.startswith("uncertainty.scenarios") for k in o) for o, _ in rows
    ):
        return []
    return [
        FieldError(
            f"sweep.{risky[0]}",
            "the base scenario has no uncertainty.scenarios: the risk weight ω and level α "
            "belong to a scenario set (CONTRACT section 9); add an uncertainty: block to "
            "the base",
        )
    ]


def _lists(section: str, value: Any, errors: list[FieldError]) -> dict[str, list[Any]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not value:
        errors.append(FieldError(f"sweep.{section}", "must map dotted paths to lists of values"))
        return {}
    out: dict[str, list[Any]] = {}
    for key, values in value.items():
        if not isinstance(values, list) or not values:
            errors.append(
                FieldError(f"sweep.{section}.{key}", "must be a non-empty list of values")
            )
            continue
        out[str(key)] = values
    return out


def _grid(
    zip_part: Any, product_part: Any, errors: list[FieldError]
) -> tuple[list[str], list[tuple[dict[str, Any], str]]]:
    zipped = _lists("zip", zip_part, errors)
    product = _lists("product", product_part, errors)
    for key in zipped.keys() & product.keys():
        errors.append(FieldError(f"sweep.product.{key}", "is also in 'zip'; give it once"))
    lengths = {k: len(v) for k, v in zipped.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k}: {n}" for k, n in lengths.items())
        errors.append(FieldError("sweep.zip", f"lists must have one length, got {detail}"))
    if errors:
        return [], []
    n_zip = next(iter(lengths.values())) if zipped else 1
    zip_rows = [{k: v[i] for k, v in zipped.items()} for i in range(n_zip)]
    product_rows = [
        dict(zip(product.keys(), combo, strict=True))
        for combo in itertools.product(*product.values())
    ]
    rows: list[tuple[dict[str, Any], str]] = []
    for zi, z in enumerate(zip_rows):
        for p in product_rows:
            origin = f"zip row {zi + 1}" if zipped else "product"
            rows.append(({**z, **p}, origin))
    return [*zipped, *product], rows


def _read_table(
    path: Path, label: str, errors: list[FieldError]
) -> tuple[list[str], list[tuple[dict[str, Any], str]]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        errors.append(FieldError("sweep.table", f"no such file: {path}"))
        return [], []
    try:
        if suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
            parse = False
        elif suffix in (".csv", ".txt"):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
            parse = True
        else:
            errors.append(FieldError("sweep.table", f"{label}: expected a .csv or .parquet file"))
            return [], []
    except Exception as exc:
        errors.append(FieldError("sweep.table", f"cannot read {label}: {exc}"))
        return [], []
    paths = [str(c).strip() for c in frame.columns]
    if not paths:
        errors.append(FieldError("sweep.table", f"{label} has no columns"))
        return [], []
    rows: list[tuple[dict[str, Any], str]] = []
    for i, record in enumerate(frame.itertuples(index=False, name=None)):
        overrides: dict[str, Any] = {}
        for dotted, cell in zip(paths, record, strict=True):
            keep, value = _cell(cell, parse)
            if keep:
                continue
            if isinstance(value, _Bad):
                errors.append(FieldError(f"sweep.table.{dotted}", f"row {i + 1}: {value.why}"))
                continue
            overrides[dotted] = value
        rows.append((overrides, f"table row {i + 1}"))
    return paths, rows


@dataclass(frozen=True)
class _Bad:
    why: str


def _cell(cell: Any, parse: bool) -> tuple[bool, Any]:
    """(keep the base value?, the value) of one table cell."""
    if parse:
        text = str(cell).strip()
        if text == "":
            return True, None
        try:
            return False, yaml.safe_load(text)
        except yaml.YAMLError as exc:
            return False, _Bad(f"cannot read {text!r}: {exc}")
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return True, None
    if hasattr(cell, "item"):  # numpy scalar → Python scalar
        cell = cell.item()
        if isinstance(cell, float) and math.isnan(cell):
            return True, None
    if hasattr(cell, "tolist"):  # numpy array (a Parquet list column) → list
        cell = cell.tolist()
    return False, cell
