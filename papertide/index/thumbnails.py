"""Thumbnails of papers: the first page of the arXiv PDF as a small WebP, kept in a folder
beside the search indexes (`<index folder>/thumbnails/`).

A PDF comes from the network and may be hostile, so it is never opened in the caller's process:
a child process (`python -m papertide.index.thumbnails PDF OUT`) renders it with pypdfium2
under an address-space and CPU-time limit and a wall-clock timeout, and writes the image aside
before renaming it in. A PDF that cannot be rendered leaves a `.failed` file with the reason, so
later runs do not fetch it again; a paper without a thumbnail is shown as a typographic card.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from papertide.errors import InputError

WIDTH_PX = 240  # rows show it at 80 CSS px, the paper page at 240
MAX_PDF_BYTES = 40 * 1024 * 1024
RENDER_TIMEOUT_S = 30.0
RENDER_CPU_S = 20
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024
WEBP_QUALITY = 70


class Thumbnails:
    """The thumbnail folder: which papers have one, rendering and failure markers."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._prefix = os.path.join(folder, "")  # has() runs per list row: no Path objects

    def name(self, paper_id: str) -> str:
        """The file name of `paper_id`'s image (old-style ids such as hep-th/9901001 keep no
        slash)."""
        return f"{paper_id.replace('/', '_')}.webp"

    def path(self, paper_id: str) -> Path:
        """Where `paper_id`'s image is."""
        return self.folder / self.name(paper_id)

    def has(self, paper_id: str) -> bool:
        return os.path.isfile(self._prefix + self.name(paper_id))

    def wanted(self, paper_ids: list[str]) -> list[str]:
        """Those of `paper_ids` with neither an image nor a failure marker."""
        return [
            paper_id
            for paper_id in paper_ids
            if not self.has(paper_id) and not self.path(paper_id).with_suffix(".failed").exists()
        ]

    def render(self, paper_id: str, pdf: bytes) -> Path:
        """Render the first page of `pdf` as `paper_id`'s thumbnail. InputError (and a failure
        marker) when the PDF is too large, cannot be read, or its rendering hits a limit."""
        try:
            if len(pdf) > MAX_PDF_BYTES:
                raise InputError(f"the PDF has {len(pdf):,} bytes; at most {MAX_PDF_BYTES:,}")
            self.folder.mkdir(parents=True, exist_ok=True)
            return render_isolated(pdf, self.path(paper_id))
        except InputError as error:
            self.failed(paper_id, str(error))
            raise

    def failed(self, paper_id: str, reason: str) -> None:
        """Remember that `paper_id` has no thumbnail to make, and why."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path(paper_id).with_suffix(".failed").write_text(reason + "\n", encoding="utf-8")


def render_isolated(pdf: bytes, out: Path) -> Path:
    """Run the renderer in a limited child process; InputError with its reason on failure."""
    with tempfile.TemporaryDirectory(prefix="papertide-pdf-") as scratch:
        source = Path(scratch) / "paper.pdf"
        source.write_bytes(pdf)
        aside = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        command = [sys.executable, "-m", "papertide.index.thumbnails", str(source), str(aside)]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=RENDER_TIMEOUT_S,
                preexec_fn=_limit_child,
                check=False,
            )
        except subprocess.TimeoutExpired:
            aside.unlink(missing_ok=True)
            raise InputError(f"rendering took over {RENDER_TIMEOUT_S:.0f} s") from None
        if done.returncode != 0 or not aside.is_file():
            aside.unlink(missing_ok=True)
            lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
            reason = lines[-1] if lines else f"the renderer ended with {done.returncode}"
            raise InputError(f"cannot render the PDF: {reason[:300]}")
        aside.replace(out)
        return out


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (RENDER_MEMORY_BYTES, RENDER_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (RENDER_CPU_S, RENDER_CPU_S))


def render_first_page(pdf: Path, out: Path) -> None:
    """The child's work: page 1 scaled to WIDTH_PX wide, saved as WebP."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        if len(document) == 0:
            raise SystemExit("the PDF has no pages")
        page = document[0]
        width = page.get_width()
        if width <= 0:
            raise SystemExit("the first page has no width")
        image = page.render(scale=WIDTH_PX / width).to_pil()
        image.convert("RGB").save(out, "WEBP", quality=WEBP_QUALITY)
    finally:
        document.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m papertide.index.thumbnails PDF OUT")
    try:
        render_first_page(Path(sys.argv[1]), Path(sys.argv[2]))
    except SystemExit:
        raise
    except Exception as error:  # the parent reads the last line of stderr as the reason
        raise SystemExit(f"{error.__class__.__name__}: {error}") from None
