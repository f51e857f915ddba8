"""Where the bundled offline snapshot of each portal lives.

In a checkout it is `tests/fixtures/<site>/` (the test fixtures are the snapshot); an
installed wheel carries the same files as package data under `scraper/snapshot/<site>/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).parent / "snapshot"
_CHECKOUT = Path(__file__).parent.parent / "tests" / "fixtures"


def snapshot_dir(site: str) -> Path:
    for root in (_PACKAGED, _CHECKOUT):
        if (root / site / "index.json").is_file():
            return root / site
    raise FileNotFoundError(f"no bundled snapshot of {site!r} (looked in {_PACKAGED}, {_CHECKOUT})")
