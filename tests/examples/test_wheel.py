"""The example data ships in the wheel: build it, install it into a fresh virtual
environment outside the clone, and write and validate the example there.

Takes ~20-60 s (a wheel build and a venv), so it is marked slow. The build uses pip's
isolated build environment (setuptools from PyPI, as any user's build would); without
network access it is skipped, saying so.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_in_fresh_venv_writes_the_example(tmp_path: Path) -> None:
    src = tmp_path / "dcopt-src"  # a folder named "src" trips setuptools' bdist_wheel
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("optimizer", "api", "data"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, src / name, symlinks=True, ignore=ignore)
    wheels = tmp_path / "whl"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(wheels)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    if build.returncode != 0 and "network" in (build.stderr + build.stdout).lower():
        pytest.skip(f"cannot build the wheel without network: {build.stderr[-300:]}")
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("dcopt-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_path('purelib'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Install the wheel alone; its dependencies come from the dev environment through a .pth
    # line (a path added that way comes after the venv's own site-packages, and the dev
    # environment's editable-install hooks are not run for it).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    (site / "zz_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    py = str(venv / "bin" / "python")
    where = subprocess.run(
        [
            py,
            "-c",
            "import optimizer, optimizer.examples as e; "
            "print(optimizer.__file__); print(e.data_dir())",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.split()
    assert where[0].startswith(str(site)), where
    assert where[1].startswith(str(site)), where

    out = tmp_path / "x"
    cli = "from optimizer.launch import main; main()"  # the dcopt script's entry point
    run = subprocess.run(
        [py, "-c", cli, "example", "greensboro", "--out", str(out), "--periods", "48"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert (out / "scenario.yaml").is_file() and (out / "grid.parquet").is_file()
    check = subprocess.run(
        [py, "-c", cli, "validate", str(out / "scenario.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    assert "48 steps" in check.stdout

    # the European example ships in the same wheel (data/*/*.yaml and *.parquet)
    fra = tmp_path / "fra"
    run = subprocess.run(
        [py, "-c", cli, "example", "frankfurt", "--out", str(fra), "--periods", "24"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    check = subprocess.run(
        [py, "-c", cli, "validate", str(fra / "scenario.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    assert "24 steps" in check.stdout
