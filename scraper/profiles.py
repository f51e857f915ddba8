"""Loading site profiles: the built-in ones (`scraper/sites/*.toml`) and a user's own.

A user's profiles live in a directory named by `VNNEWS_PROFILES_DIR` (`--profiles DIR` sets
it); each `*.toml` there becomes a site and a spider exactly like a built-in portal. A bad file
is reported with its path, line and field, and the other profiles still load.
"""

from __future__ import annotations

import os
import re
import tomllib
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from pipelines.errors import ProfileError, UnknownSite
from schemas.profile import Profile

SITES_DIR = Path(__file__).parent / "sites"
PROFILES_ENV = "VNNEWS_PROFILES_DIR"
RESERVED = {"generic"}  # the spider for portals without a profile


def load_profile(path: Path) -> Profile:
    """Read and validate one profile; errors name the file, the line and the field."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"line {_line_of(text, err['loc'])}: {'.'.join(map(str, err['loc'])) or '(top)'}: "
            f"{err['msg']}"
            for err in exc.errors()
        )
        raise ProfileError(f"{path}: {problems}") from None
    if profile.name in RESERVED:
        raise ProfileError(
            f"{path}: line {_line_of(text, ('name',))}: name: {profile.name!r} is reserved"
        )
    return profile


def _line_of(text: str, loc: tuple[int | str, ...]) -> int:
    """The line a validation error points at: the key's line within its table, else the
    table's header, else 1."""
    lines = text.splitlines()
    start = 0
    keys = [part for part in loc if isinstance(part, str)]
    if loc and loc[0] == "layouts" and len(loc) > 1 and isinstance(loc[1], int):
        headers = [i for i, line in enumerate(lines) if line.strip() == "[[layouts]]"]
        start = headers[loc[1]] if loc[1] < len(headers) else 0
        keys = keys[1:]
    elif loc and loc[0] == "urls":
        start = next((i for i, line in enumerate(lines) if line.strip() == "[urls]"), 0)
        keys = keys[1:]
    for key in reversed(keys):
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start, len(lines)):
            if number > start and lines[number].lstrip().startswith("[") and start:
                break
            if pattern.match(lines[number]):
                return number + 1
    return start + 1


@cache
def builtin_profiles() -> dict[str, Profile]:
    """The portals that ship with vnnews, by name."""
    profiles = [load_profile(path) for path in sorted(SITES_DIR.glob("*.toml"))]
    return {profile.name: profile for profile in profiles}


@cache
def _user_profiles(directory: str) -> tuple[dict[str, Profile], tuple[str, ...]]:
    profiles: dict[str, Profile] = {}
    errors: list[str] = []
    root = Path(directory)
    if not root.is_dir():
        return {}, (f"{root}: not a directory ({PROFILES_ENV} or --profiles)",)
    for path in sorted(root.glob("*.toml")):
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            errors.append(str(exc))
            continue
        if profile.name in builtin_profiles() or profile.name in profiles:
            errors.append(f"{path}: name: {profile.name!r} is already the name of another site")
            continue
        profiles[profile.name] = profile
    return profiles, tuple(errors)


def user_profiles() -> tuple[dict[str, Profile], tuple[str, ...]]:
    """The user's profiles (from VNNEWS_PROFILES_DIR) and the errors of those that failed."""
    directory = os.environ.get(PROFILES_ENV, "")
    return _user_profiles(directory) if directory else ({}, ())


def all_profiles() -> dict[str, Profile]:
    return {**builtin_profiles(), **user_profiles()[0]}


def get_profile(name: str) -> Profile:
    profiles = all_profiles()
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise UnknownSite(f"unknown site {name!r}; known sites: {known}")
    return profiles[name]


def profile_for_url(url: str) -> Profile | None:
    """The profile whose domains include the URL's host, if any."""
    host = urlsplit(url).hostname or ""
    for profile in all_profiles().values():
        if host in profile.domains:
            return profile
    return None
