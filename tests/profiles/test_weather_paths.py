"""A weather file named in a scenario never reaches outside what the caller allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import ScenarioError
from optimizer.profiles.weather import locate


@pytest.mark.parametrize(
    "name", ["pvlib:../../etc/passwd", "pvlib:/etc/passwd", "pvlib:", "pvlib:.."]
)
def test_pvlib_prefix_takes_a_plain_file_name(name: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        locate(name, None)
    assert exc.value.errors[0].field == "weather.file"


def test_no_path_is_read_without_a_base_folder(tmp_path: Path) -> None:
    target = tmp_path / "w.csv"
    target.write_text("x")
    with pytest.raises(ScenarioError, match="files are not read here"):
        locate(str(target), None)


def test_bundled_greensboro_file_is_found() -> None:
    path = locate("pvlib:723170TYA.CSV", None)
    assert path.name == "723170TYA.CSV" and path.is_file()


def test_relative_path_resolves_against_the_scenario_folder(tmp_path: Path) -> None:
    (tmp_path / "w.epw").write_text("LOCATION,x")
    assert locate("w.epw", tmp_path) == (tmp_path / "w.epw").resolve()
