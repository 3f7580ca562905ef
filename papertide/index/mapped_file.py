"""The file layout `papertide index` writes its derived per-paper data in (sentence vectors,
word counts), memory-mapped by every `serve` worker and followed as it is rewritten.

A file is one flat run of fixed-size records (written streamed), then, each 64-byte aligned,
.npy arrays; it ends with the offset of the first array and a magic tag naming the kind of
file. Written aside and renamed in, so a reader sees the old file or the new one, whole.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from papertide.errors import InputError

FOOTER = struct.Struct("<Q8s")  # where the arrays start, the magic tag
ALIGN = 64
T = TypeVar("T")


def write_mapped_file(
    path: Path,
    magic: bytes,
    run: Iterable[bytes],
    arrays: Callable[[], Sequence[npt.NDArray[Any]]],
) -> None:
    """Write `run`'s bytes, then the arrays `arrays()` gives once the run is written, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as out:
        for chunk in run:
            out.write(chunk)
        arrays_at = align(out)
        for array in arrays():
            np.lib.format.write_array(out, array, allow_pickle=False)
            align(out)
        out.write(FOOTER.pack(arrays_at, magic))
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def view_mapped_arrays(path: Path, magic: bytes, count: int, kind: str) -> list[npt.NDArray[Any]]:
    """The `count` arrays of a file written by write_mapped_file with `magic`, memory-mapped
    read-only (its pages shared by every process viewing the file); InputError for another
    kind of file (`kind` names the expected one)."""
    with path.open("rb") as file:
        size = file.seek(0, os.SEEK_END)
        found = b""
        if size >= FOOTER.size:
            file.seek(size - FOOTER.size)
            arrays_at, found = FOOTER.unpack(file.read(FOOTER.size))
        if found != magic:
            raise InputError(f"{path} is no {kind} file; run papertide index")
        file.seek(arrays_at)
        return [read_array(path, file) for _ in range(count)]


def align(out: BinaryIO) -> int:
    """Pad the file to the next ALIGN bytes; the offset reached."""
    at = out.tell()
    padding = -at % ALIGN
    out.write(b"\0" * padding)
    return at + padding


def read_array(path: Path, file: BinaryIO) -> npt.NDArray[Any]:
    """The .npy array at the file's position, memory-mapped; the position moves past it."""
    version = np.lib.format.read_magic(file)
    read_header = (
        np.lib.format.read_array_header_1_0
        if version == (1, 0)
        else np.lib.format.read_array_header_2_0
    )
    shape, _, dtype = read_header(file)
    at = file.tell()
    array = mapped(path, dtype, at, shape)
    file.seek(at + array.nbytes + (-(at + array.nbytes) % ALIGN))
    return array


def mapped(path: Path, dtype: Any, offset: int, shape: tuple[int, ...]) -> npt.NDArray[Any]:
    if 0 in shape:
        return np.zeros(shape, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=shape)


class FollowedFile(Generic[T]):
    """A file viewed as it is now: reopened with `view` (memory-mapped, so this costs no
    reading) when `papertide index` has replaced it; `empty` before the first one is written."""

    def __init__(self, path: Path, view: Callable[[Path], T], empty: T) -> None:
        self.path = path
        self._view = view
        self._empty = empty
        self._seen: tuple[int, int] | None = None
        self._index = empty

    def current(self) -> T:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return self._empty
        seen = (stat.st_ino, stat.st_mtime_ns)
        if seen != self._seen:
            self._index = self._view(self.path)  # one reference swap
            self._seen = seen
        return self._index
