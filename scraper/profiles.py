"""Loading site profiles: one TOML file per portal under `scraper/sites/`."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from pipelines.errors import ProfileError, UnknownSite
from schemas.profile import Profile

SITES_DIR = Path(__file__).parent / "sites"


def load_profile(path: Path) -> Profile:
    """Read and validate one profile; errors name the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or '(top)'}: {err['msg']}" for err in exc.errors()
        )
        raise ProfileError(f"{path}: {problems}") from None


@cache
def builtin_profiles() -> dict[str, Profile]:
    """The portals that ship with vnnews, by name."""
    profiles = [load_profile(path) for path in sorted(SITES_DIR.glob("*.toml"))]
    return {profile.name: profile for profile in profiles}


def get_profile(name: str) -> Profile:
    profiles = builtin_profiles()
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise UnknownSite(f"unknown site {name!r}; known sites: {known}")
    return profiles[name]


def profile_for_url(url: str) -> Profile | None:
    """The profile whose domains include the URL's host, if any."""
    host = urlsplit(url).hostname or ""
    for profile in builtin_profiles().values():
        if host in profile.domains:
            return profile
    return None
