"""The commands the docs show exist, with the options they are shown with."""

from __future__ import annotations

import re
from functools import cache

import pytest

from tests.conftest import ROOT, run

COMMANDS = ("seed", "crawl", "enrich-worker", "ingest", "cluster")
# `vnnews COMMAND ...` up to the end of the line or of the inline code span.
SHOWN = re.compile(r"vnnews (" + "|".join(COMMANDS) + r")\b([^`\n]*)")


@cache
def help_text(command: str) -> str:
    result = run("vnnews", command, "--help")
    assert result.returncode == 0, result.stderr
    return result.stdout


def shown_commands() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "distributed.md").read_text(encoding="utf-8")
    return [(m[1], m[2]) for m in SHOWN.finditer(text)]


def test_the_recipe_shows_every_command() -> None:
    assert {command for command, _ in shown_commands()} == set(COMMANDS)


@pytest.mark.parametrize(("command", "rest"), shown_commands())
def test_each_option_shown_is_an_option_of_its_command(command: str, rest: str) -> None:
    for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
        assert option in help_text(command), f"vnnews {command} has no {option}"
