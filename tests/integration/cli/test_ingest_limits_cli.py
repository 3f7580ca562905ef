"""`papertide ingest` on over-long lines and compressed bombs: the record is quarantined with
its reason and an excerpt, the rest goes in, and memory stays bounded (issue #14)."""

import bz2
import gzip
import json
import lzma
import subprocess
import sys
from pathlib import Path

from tests.integration.cli.conftest import paper_line

MB = 2**20
LONG = "x" * MB


LONG_START = '{"id": "2601.00002", "title": "Too long", "abstract": "'


def write_with_long_record(path: Path, megabytes: int, opener=gzip.open) -> int:
    """Paper 1, then one JSON record of about `megabytes` MB (its abstract), then paper 3;
    returns the long line's size in bytes."""
    with opener(path, "wt") as out:
        out.write(paper_line(1) + "\n" + LONG_START)
        for _ in range(megabytes):
            out.write(LONG)
        out.write('"}\n' + paper_line(3) + "\n")
    return len(LONG_START) + megabytes * MB + 2


# Run the CLI and print the process's own high-water mark at exit. Not wait4's ru_maxrss: a
# child forked from this test process starts with its pages counted, and Linux keeps that
# figure across exec, so a large pytest (with coverage) inflated every child's peak.
PEAK_WRAPPER = (
    "import atexit, sys\n"
    "from papertide.cli import main\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        sys.stderr.write(next(l for l in status if l.startswith('VmHWM:')))\n"
    "atexit.register(peak)\n"
    "main(prog_name='papertide')\n"
)


def ingest_peak_mb(*args: str, db: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `papertide ingest ...` and return it with its own peak RSS (VmHWM at exit)."""
    command = [sys.executable, "-c", PEAK_WRAPPER, "ingest", *args, "--db", str(db), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    (peak,) = [line for line in result.stderr.splitlines() if line.startswith("VmHWM:")]
    return result, int(peak.split()[1]) / 1024


def quarantine(db: Path) -> list[dict[str, str]]:
    listing = subprocess.run(
        [sys.executable, "-m", "papertide", "quarantine", "--json", "--db", str(db)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    entries: list[dict[str, str]] = json.loads(listing.stdout)
    return entries


def test_a_50_mb_record_in_a_51_kb_gzip_is_quarantined_in_bounded_memory(tmp_path):
    normal = tmp_path / "normal.jsonl.gz"
    normal.write_bytes(gzip.compress(b"".join(paper_line(n).encode() + b"\n" for n in (1, 3))))
    bomb = tmp_path / "bomb.jsonl.gz"
    size = write_with_long_record(bomb, 50)
    assert bomb.stat().st_size < 200_000

    baseline, baseline_mb = ingest_peak_mb("jsonl", str(normal), db=tmp_path / "a.db")
    result, peak_mb = ingest_peak_mb("jsonl", str(bomb), db=tmp_path / "b.db")

    assert baseline.returncode == 0, baseline.stderr
    assert result.returncode == 3, result.stderr
    # generous: the bounded reader adds about 15 MB; reading the whole line added 170 MB
    assert peak_mb < baseline_mb + 100, (peak_mb, baseline_mb)
    counts = json.loads(result.stdout)[0]
    assert (counts["new"], counts["quarantined"]) == (2, 1)
    (entry,) = quarantine(tmp_path / "b.db")
    assert entry["reason"] == f"line 2 too long: {size:,} bytes (limit 4,194,304)"
    assert entry["raw"].startswith(LONG_START)
    assert len(entry["raw"]) < 5_000 and entry["raw"].endswith("more bytes not kept]")


def test_every_file_source_quarantines_an_over_long_line_and_keeps_the_rest(tmp_path):
    """jsonl (xz), snapshot (bz2), csv (gzip), hf-daily rows (xz) and text (bz2), each with a
    5 MB line: decompressed as they are read, the long line skipped in bounded memory."""
    jsonl = tmp_path / "p.jsonl.xz"
    write_with_long_record(jsonl, 5, lzma.open)
    snapshot = tmp_path / "s.jsonl.bz2"
    write_with_long_record(snapshot, 5, bz2.open)
    csv = tmp_path / "p.csv.gz"
    csv.write_bytes(gzip.compress(
        f'id,title,abstract\n2601.00001,One,"A.\nB."\n2601.00002,Two,{LONG * 5}\n'
        "2601.00003,Three,C.\n".encode()
    ))  # fmt: skip
    rows = tmp_path / "daily.jsonl.xz"
    row = {"date": "2026-01-05", "position": 0, "arxiv_id": "2601.00001", "title": "One",
           "abstract": "A.", "authors": []}  # fmt: skip
    long_row = {**row, "position": 1, "arxiv_id": "2601.00002", "abstract": LONG * 5}
    third = {**row, "position": 2, "arxiv_id": "2601.00003"}
    rows.write_bytes(
        lzma.compress("".join(json.dumps(r) + "\n" for r in (row, long_row, third)).encode())
    )
    text = tmp_path / "list.txt.bz2"
    text.write_bytes(bz2.compress((
        "A Title of the First Paper\n" + "We show this. " * 10 + "\n\n" + LONG + "\n\n"
        "A Title of the Third Paper\n" + "We show that. " * 10 + "\n"
    ).encode()))  # fmt: skip

    for kind, path, line in [("jsonl", jsonl, 2), ("snapshot", snapshot, 2), ("csv", csv, 4),
                             ("hf-daily", rows, 2), ("text", text, 4)]:  # fmt: skip
        db = tmp_path / f"{kind}.db"
        result, _ = ingest_peak_mb(kind, str(path), db=db)
        assert result.returncode == 3, (kind, result.stderr)
        counts = json.loads(result.stdout)[0]
        assert (counts["new"], counts["quarantined"]) == (2, 1), (kind, counts)
        (entry,) = quarantine(db)
        assert entry["reason"].startswith(f"line {line} too long: "), (kind, entry["reason"])
        assert len(entry["raw"]) < 10_000, kind


def test_hf_daily_response_file_over_the_limit_is_quarantined_unread(tmp_path):
    path = tmp_path / "2026-01-05.json.gz"
    with gzip.open(path, "wt") as out:
        out.write("[\n")
        for _ in range(20):
            out.write(json.dumps({"paper": {"id": "2601.00001", "summary": LONG}}) + ",\n")
        out.write("{}]\n")
    result, peak_mb = ingest_peak_mb("hf-daily", str(path), db=tmp_path / "h.db")
    assert result.returncode == 3, result.stderr
    (entry,) = quarantine(tmp_path / "h.db")
    assert entry["reason"] == "response file too large: over 16,777,216 bytes"
    assert peak_mb < 200
