"""Write docs/cli.md from the commands' own --help; tests/test_docs.py fails when it is stale.

Usage: python scripts/cli_docs.py
"""

from __future__ import annotations

from pathlib import Path

import click

from papertide.cli import main

CLI_DOCS = Path(__file__).resolve().parent.parent / "docs" / "cli.md"


def render() -> str:
    parts = ["# Command line reference\n", "Generated from `--help` by `scripts/cli_docs.py`.\n"]
    for path, command in walk(main, ["papertide"]):
        with click.Context(command, info_name=" ".join(path), terminal_width=100) as ctx:
            parts.append(f"## {' '.join(path)}\n\n```\n{command.get_help(ctx)}\n```\n")
    return "\n".join(parts)


def walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            found += walk(command.commands[name], [*path, name])
    return found


if __name__ == "__main__":
    CLI_DOCS.write_text(render())
