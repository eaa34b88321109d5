"""The README documents every setting and every command of the spec that the CLI has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

from newswire.cli.main import app
from newswire.config import settings_fields

README = Path(__file__).resolve().parents[1] / "README.md"

# The command table of SPEC.md section 3 ("Command line: newswire"), as users type them.
SPEC_COMMANDS = (
    "init",
    "serve",
    "worker",
    "demo",
    "user add",
    "bureau add",
    "desk add",
    "subscriber add",
    "partner add",
    "source add",
    "term add",
    "token create",
    "import",
    "export",
    "mt install",
    "search",
)


def cli_commands() -> set[str]:
    """Every runnable command of `newswire`, e.g. {"init", "user add", ...}."""
    found: set[str] = set()

    def walk(command: Any, path: tuple[str, ...]) -> None:
        # A group has sub-commands (Typer bundles its own Click, so go by the attribute).
        subcommands = getattr(command, "commands", None)
        if isinstance(subcommands, dict):
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found.add(" ".join(path))

    walk(typer.main.get_command(app), ())
    return found


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8") if README.is_file() else ""


@pytest.mark.parametrize("variable", sorted(settings_fields()))
def test_readme_documents_setting(readme: str, variable: str) -> None:
    assert re.search(rf"\b{variable}\b", readme), f"README.md does not mention {variable}"


@pytest.mark.parametrize("command", sorted(set(SPEC_COMMANDS) & cli_commands()))
def test_readme_documents_command(readme: str, command: str) -> None:
    words = r"\s+".join(map(re.escape, ["newswire", *command.split()]))
    assert re.search(rf"{words}\b", readme), f"README.md does not show `newswire {command}`"


def test_spec_commands_are_found_in_the_cli() -> None:
    """Guards the parametrisation above: the commands we have are picked up."""
    assert {"init", "demo", "user add", "token create", "export"} <= cli_commands()
