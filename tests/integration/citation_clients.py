"""Read citation exports with the clients people use: bibtexparser v2, pybtex (strict),
pdflatex + bibtex, rispy and the CSL-JSON schema. Each helper fails the test on any complaint
and returns the keys it read, in file order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pybtex.database
import pybtex.errors
import pytest
import rispy
from bibtexparser.entrypoint import parse_string as parse_bibtex

CSL_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "csl" / "csl-data.json"
TEX_BINARIES = ("pdflatex", "bibtex")
DOCUMENT = (
    "\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
    "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
)


def bibtex_keys(text: str) -> list[str]:
    """The entry keys, after bibtexparser v2 and pybtex in strict mode both read `text`
    without a failed block, a duplicate key or an error."""
    library = parse_bibtex(text)
    assert library.failed_blocks == [], [
        (block.raw or "")[:300] for block in library.failed_blocks[:3]
    ]
    keys = [entry.key for entry in library.entries]
    assert len(keys) == len(set(keys)), "duplicate keys"
    assert pybtex.errors.strict  # pybtex raises instead of warning
    data = pybtex.database.parse_string(text, "bibtex")
    assert list(data.entries) == keys
    return keys


def bibtex_fields(text: str) -> dict[str, dict[str, str]]:
    """key -> field name -> value, as bibtexparser v2 reads them."""
    library = parse_bibtex(text)
    return {entry.key: {f.key: str(f.value) for f in entry.fields} for entry in library.entries}


def ris_keys(text: str) -> list[str]:
    """The ID of every RIS record, after rispy read them all (each with a type and a title)."""
    records = rispy.loads(text)
    assert text.count("\nER  - ") + text.startswith("ER  - ") == len(records)
    assert all(record["type_of_reference"] == "UNPB" and record["title"] for record in records)
    return [record["id"] for record in records]


@cache
def _csl_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def csl_items(text: str) -> list[dict[str, Any]]:
    """The CSL-JSON items, after validating the whole array against the CSL 1.0.2 schema."""
    items = json.loads(text)
    errors = [error.message for error in _csl_validator().iter_errors(items)]
    assert errors == [], errors[:5]
    return list(items)


def require_tex() -> None:
    """Skip, saying why, on a developer's machine without pdflatex or bibtex; in CI (where
    `make test` installs them) their absence fails the test instead."""
    missing = [name for name in TEX_BINARIES if shutil.which(name) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed (make test installs texlive-latex-base)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def compile_bibliography(bib: str, folder: Path) -> str:
    """\\nocite{*} of `bib` through pdflatex, bibtex, pdflatex; returns the .bbl LaTeX wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    (folder / "doc.tex").write_text(DOCUMENT, encoding="utf-8")
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"]
    for command in (latex, ["bibtex", "doc"], latex):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-3000:]
        assert "error message" not in done.stdout, done.stdout[-3000:]
    return (folder / "doc.bbl").read_text(encoding="utf-8")
