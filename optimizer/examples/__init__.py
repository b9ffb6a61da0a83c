"""Bundled example scenarios (``dcopt example NAME --out DIR``).

The examples live in the repository's top-level ``data/`` folder (scenario, Parquet series,
README of sources, and the script that rebuilds them). ``optimizer/examples/data`` is a
symbolic link to it, which setuptools follows when it builds a wheel, so the same files are
found from a clone and from an installed wheel (as ``optimizer/examples/data/`` there).
"""

from __future__ import annotations

import logging
import re
import shutil
from importlib import resources
from pathlib import Path

import pandas as pd

from optimizer.errors import ScenarioError

log = logging.getLogger(__name__)

EXAMPLES: dict[str, str] = {
    "greensboro": "200 MW-IT AI campus in Greensboro, NC: TOU tariff, index offer, wind/solar "
    "PPAs, virtual wind PPA, on-site solar, battery, gas backup, 85 % 24/7 CFE target",
    "frankfurt": "60 MW-IT site in Frankfurt am Main (EUR, Europe/Berlin): fixed or index "
    "supply contract (one group), network charges and levies, wind and solar PPAs, GOs, "
    "battery, EnEfG 2027; synthetic weather",
}
DEFAULT_EXAMPLE = "greensboro"


def data_dir() -> Path:
    """The folder of bundled data: the clone's ``data/`` or the wheel's copy of it."""
    clone = Path(__file__).resolve().parents[2] / "data"
    if (clone / DEFAULT_EXAMPLE / "scenario.yaml").is_file():
        return clone
    packaged = Path(str(resources.files("optimizer.examples") / "data"))
    if (packaged / DEFAULT_EXAMPLE / "scenario.yaml").is_file():
        return packaged
    raise FileNotFoundError(
        "bundled example data not found (looked in the clone's data/ and the installed "
        "package's optimizer/examples/data/)"
    )


def example_dir(name: str) -> Path:
    if name not in EXAMPLES:
        raise ScenarioError.single(
            "example", f"no bundled example {name!r}; choose one of {sorted(EXAMPLES)}"
        )
    return data_dir() / name


def write_example(name: str, out_dir: str | Path, periods: int | None = None) -> list[Path]:
    """Copy example ``name`` (scenario.yaml and its series) into ``out_dir``.

    With ``periods`` the scenario and every Parquet series are cut to their first
    ``periods`` steps (a short, consistent slice for quick runs and tests).
    """
    src = example_dir(name)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for path in sorted(src.iterdir()):
        if not path.is_file():
            continue
        target = out / path.name
        if periods is not None and path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            if not 0 < periods <= len(frame):
                raise ScenarioError.single(
                    "periods", f"must be between 1 and {len(frame)}, got {periods}"
                )
            frame.iloc[:periods].to_parquet(target, index=False)
        elif periods is not None and path.name == "scenario.yaml":
            text = path.read_text(encoding="utf-8")
            new, n = re.subn(r"(?m)^(\s+periods:\s*)\d+", rf"\g<1>{periods}", text, count=1)
            if n != 1:
                raise ScenarioError.single("periods", f"{path} has no site.periods line")
            target.write_text(new, encoding="utf-8")
        else:
            shutil.copyfile(path, target)
        written.append(target)
    readme = data_dir() / "README.md"
    if readme.is_file():
        shutil.copyfile(readme, out / "README.md")
        written.append(out / "README.md")
    log.info("wrote example %s to %s (%d files)", name, out, len(written))
    return written


__all__ = ["DEFAULT_EXAMPLE", "EXAMPLES", "data_dir", "example_dir", "write_example"]
