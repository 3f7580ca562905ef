"""Vendor the web tier's browser libraries (KaTeX, htmx, Swagger UI for /docs) from npm into
papertide/web/static/vendor.

Runs `npm pack <package>@<exact version>` in a temporary folder and copies only the files the
pages load, so the commit stays small and no page ever needs a CDN.
Usage: python scripts/vendor_static.py
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "papertide" / "web" / "static" / "vendor"


@dataclass(frozen=True, slots=True)
class Package:
    """An npm package pinned to one version, and the files of it to keep (globs in package/)."""

    name: str
    version: str
    folder: str
    license: str
    files: tuple[str, ...]


PACKAGES = (
    Package(
        "katex",
        "0.19.1",
        "katex",
        "MIT",
        (
            "dist/katex.min.js",
            "dist/katex.min.css",
            "dist/contrib/auto-render.min.js",
            "dist/fonts/*.woff2",
            "LICENSE",
        ),
    ),
    Package("htmx.org", "2.0.11", "htmx", "0BSD", ("dist/htmx.min.js", "LICENSE")),
    Package(
        "swagger-ui-dist",
        "5.35.0",
        "swagger-ui",
        "Apache-2.0",
        (
            "swagger-ui-bundle.js",
            "swagger-ui-bundle.js.LICENSE.txt",
            "swagger-ui.css",
            "LICENSE",
            "NOTICE",
        ),
    ),
)


def vendor(package: Package, work: Path) -> list[Path]:
    """Pack one package with npm, unpack it in `work` and copy the chosen files to VENDOR."""
    spec = f"{package.name}@{package.version}"
    subprocess.run(["npm", "pack", spec, "--silent"], cwd=work, check=True, capture_output=True)
    tarball = next(work.glob(f"{package.name.replace('.', '?')}-{package.version}.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(work / package.folder, filter="data")
    root = work / package.folder / "package"
    target = VENDOR / package.folder
    shutil.rmtree(target, ignore_errors=True)
    copied = []
    for pattern in package.files:
        for source in sorted(root.glob(pattern)):
            destination = target / source.relative_to(root).as_posix().removeprefix("dist/")
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            copied.append(destination)
    return copied


def write_readme() -> None:
    lines = [
        "# Vendored browser libraries",
        "",
        "Copied from npm by `scripts/vendor_static.py` (run it to update; never edit by hand).",
        "Each folder keeps its package's LICENSE file.",
        "",
        "| folder | npm package | version | license |",
        "|---|---|---|---|",
        *(f"| `{p.folder}/` | `{p.name}` | {p.version} | {p.license} |" for p in PACKAGES),
        "",
    ]
    (VENDOR / "README.md").write_text("\n".join(lines))


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for package in PACKAGES:
            copied = vendor(package, Path(folder))
            size = sum(path.stat().st_size for path in copied)
            print(f"{package.name}@{package.version}: {len(copied)} files, {size / 1024:.0f} KiB")
    write_readme()


if __name__ == "__main__":
    main()
