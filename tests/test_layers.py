"""The package's layers point one way: a module imports only its own package and lower layers.

Every import counts, also those inside functions and `if TYPE_CHECKING:` blocks, so the
layering holds for readers and type checkers, not only at run time. The same list, with what
each layer holds, is in docs/architecture.md.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "papertide"

# bottom to top; the units of one layer never import each other
LAYERS: list[set[str]] = [
    {"errors"},
    {"clock", "ids"},
    {"models"},
    {"papertide"},  # the package itself: __version__ and the record types
    {"config"},
    {"secret_key"},
    {"sources", "store", "citation"},
    {"ingest", "migrate", "export", "demo"},
    {"index"},
    {"sync"},  # keeps an instance current: harvest, enrich, refresh indexes, run log
    {"search"},
    {"community"},
    {"rank"},
    {"digest"},
    {"eval"},
    {"web", "agents"},
    {"wiring"},  # builds every service from Settings; only entry points import it
    {"cli", "asgi"},  # entry points: the command line and the ASGI app factory
    {"__main__"},  # `python -m papertide`
]
LAYER_OF = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def unit_of(module: str) -> str:
    """The layer unit of a dotted module name under papertide ("papertide.index.vectors" ->
    "index"); "papertide" for names defined in the package's __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "papertide"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_units(text: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, unit) for every papertide import in a module's text, wherever it sits;
    `package` resolves relative imports."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "papertide":  # `from papertide import wiring` names a submodule
                names = [f"papertide.{alias.name}" for alias in node.names]
            else:
                names = [base]
        else:
            continue
        for name in names:
            if name == "papertide" or name.startswith("papertide."):
                yield node.lineno, _existing_unit(name)


def _existing_unit(name: str) -> str:
    unit = unit_of(name)
    is_module = (PACKAGE / f"{unit}.py").exists() or (PACKAGE / unit).is_dir()
    return unit if is_module else "papertide"


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    units = {unit_of(module_name(path)) for path in SOURCES}
    assert units - LAYER_OF.keys() == set()
    assert LAYER_OF.keys() - units == set(), "a layer names a unit that no longer exists"


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    name = module_name(path)
    unit = unit_of(name)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    back = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for line, target in imported_units(path.read_text(), package)
        if target != unit and LAYER_OF[target] >= LAYER_OF[unit]
    ]
    assert back == []


def test_the_check_sees_imports_in_functions_and_type_checking_blocks() -> None:
    text = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from papertide.search.service import SearchService\n"
        "def build() -> None:\n"
        "    from papertide import wiring, __version__\n"
        "    from .vectors import HnswIndex\n"
        "    import json\n"
    )
    found = sorted(imported_units(text, "papertide.index"))
    assert found == [(3, "search"), (5, "papertide"), (5, "wiring"), (6, "index")]
