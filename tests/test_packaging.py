"""An installed wheel carries the site profiles and the demo snapshot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlite_utils import Database

from tests.conftest import ROOT


def test_demo_runs_from_an_installed_wheel(tmp_path: Path) -> None:
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", str(ROOT), "-w", str(wheels)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    wheel = next(wheels.glob("vnnews-*.whl"))
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "scraper/datasette/metadata.yaml",
        "scraper/datasette/plugins/vnnews_search.py",
        "scraper/sites/nhandan.toml",
        "scraper/snapshot/qdnd/index.json",
    } <= names
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    code = (
        "import sys, scraper; assert scraper.__file__.startswith(sys.argv[1]), scraper.__file__;"
        "from scraper.cli import cli; cli(['demo', '--db', 'demo.db'])"
    )
    # Run outside the checkout, with the wheel's copy first on the path.
    result = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Articles: 10 (2021: 8, aspnet: 2)" in result.stdout
    assert Database(tmp_path / "demo.db")["articles"].count == 10
