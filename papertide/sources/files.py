"""Open input files the same way for every source: plain, gzip, xz or bz2, or '-' for stdin.

Compression is recognised by the file's first bytes, not its name, and undone as the file is
read. Lines are read with a size limit: a longer line is skipped in bounded memory and handed on
as an Overlong (its size and first bytes), which the source quarantines. Missing or unreadable
files raise InputError with one clear line.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from papertide.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"  # some saved files start with one; json.loads rejects it
MAX_LINE_BYTES = 4 * 2**20  # one JSON record; real ones are under 100 KB
EXCERPT_BYTES = 4_096  # of an over-long line, kept for its quarantine row
_SKIP_CHUNK = 2**16
_MAGIC = {b"\x1f\x8b": gzip.open, b"\xfd7zXZ": lzma.open, b"BZh": bz2.open}


@contextmanager
def open_binary(path: str | Path) -> Iterator[BinaryIO]:
    """Open `path` for reading as decompressed bytes."""
    if str(path) == "-":
        yield sys.stdin.buffer
        return
    file = Path(path)
    try:
        with file.open("rb") as probe:
            head = probe.read(6)
    except FileNotFoundError:
        raise InputError(f"no such file: {file}") from None
    except IsADirectoryError:
        raise InputError(f"is a directory, not a file: {file}") from None
    except PermissionError:
        raise InputError(f"cannot read (permission denied): {file}") from None
    opener = next((open_ for magic, open_ in _MAGIC.items() if head.startswith(magic)), None)
    stream: BinaryIO = opener(file, "rb") if opener else file.open("rb")  # type: ignore[operator]
    with stream:
        yield stream


def read_bytes(path: str | Path) -> bytes:
    """The whole decompressed content; for small inputs (one API response, one listing)."""
    with open_binary(path) as stream:
        try:
            return stream.read()
        except (OSError, EOFError, lzma.LZMAError) as error:
            raise InputError(f"cannot decompress {path}: {error}") from None


@dataclass(frozen=True, slots=True)
class Overlong:
    """A line over the size limit, read past without being held: its size and first bytes."""

    size: int
    excerpt: bytes

    @classmethod
    def of(cls, line: bytes) -> Overlong:
        return cls(len(line), line[:EXCERPT_BYTES])

    def reason(self, number: int, limit: int) -> str:
        return f"line {number} too long: {self.size:,} bytes (limit {limit:,})"

    def raw(self) -> str:
        """The excerpt as text for the quarantine row, marked as cut short."""
        text = self.excerpt.decode("utf-8", errors="replace")
        return f"{text}\n[... {self.size - len(self.excerpt):,} more bytes not kept]"


def iter_lines(
    path: str | Path, max_bytes: int = MAX_LINE_BYTES
) -> Iterator[tuple[int, bytes | Overlong]]:
    """(line number, raw line without newline) for every non-blank line; bounded memory.

    A line of more than `max_bytes` bytes comes as an Overlong instead of its bytes.
    """
    with open_binary(path) as stream:
        try:
            for number, line in enumerate(bounded_lines(stream, max_bytes), start=1):
                if isinstance(line, Overlong):
                    yield number, line
                    continue
                stripped = line.rstrip(b"\r\n")
                if stripped.strip():
                    yield number, stripped
        except (OSError, EOFError, lzma.LZMAError) as error:
            raise InputError(f"cannot decompress {path}: {error}") from None


def bounded_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | Overlong]:
    """Each line of `stream` with its newline, or an Overlong when it has over `max_bytes`
    bytes before the newline; never holds more than `max_bytes` + 1 bytes of a line."""
    while line := stream.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while (rest := stream.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
            size += len(rest)
        size += len(rest.rstrip(b"\r\n"))
        yield Overlong(size, line[:EXCERPT_BYTES])
