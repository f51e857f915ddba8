"""How `vnnews serve` runs Datasette: our metadata (named for the database) and plugin."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent / "datasette"


def metadata_for(db_path: str) -> dict:
    """metadata.yaml with its database section under the name Datasette gives the file."""
    metadata = yaml.safe_load((HERE / "metadata.yaml").read_text(encoding="utf-8"))
    metadata["databases"] = {Path(db_path).stem: metadata["databases"]["DATABASE"]}
    return metadata


def datasette_command(db_path: str, host: str, port: int) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="vnnews-serve-"))
    (folder / "metadata.yaml").write_text(
        yaml.safe_dump(metadata_for(db_path), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db_path),
        "--metadata",
        str(folder / "metadata.yaml"),
        "--plugins-dir",
        str(HERE / "plugins"),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
        "--setting",
        "default_page_size",
        "50",
    ]
