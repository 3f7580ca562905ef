"""Open input files the same way for every source: plain, gzip, xz or bz2, or '-' for stdin.

Compression is recognised by the file's first bytes, not its name. Missing or unreadable files
raise InputError with one clear line.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from papertide.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"  # some saved files start with one; json.loads rejects it
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


def iter_lines(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """(line number, raw line without newline) for every non-blank line; constant memory."""
    with open_binary(path) as stream:
        try:
            for number, line in enumerate(stream, start=1):
                stripped = line.rstrip(b"\r\n")
                if stripped.strip():
                    yield number, stripped
        except (OSError, EOFError, lzma.LZMAError) as error:
            raise InputError(f"cannot decompress {path}: {error}") from None
