"""Docs stay true to the code: the CLI reference is current and every setting is documented."""

from dataclasses import fields
from pathlib import Path

from papertide.config import Settings
from scripts.cli_docs import CLI_DOCS, render

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_cli_reference_is_current():
    assert CLI_DOCS.read_text() == render(), "run: python scripts/cli_docs.py"


def test_every_command_has_help_text():
    text = render()
    for block in text.split("## ")[1:]:
        name, _, body = block.partition("\n")
        assert "Usage:" in body, name
        assert len(body.split("Usage:", 1)[1].strip().splitlines()) > 2, f"{name} has no help"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text()
    for field in fields(Settings):
        assert f"`{field.name}`" in text, field.name
        assert f"`PAPERTIDE_{field.name.upper()}`" in text, field.name
