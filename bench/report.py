"""Shared by bench scripts: machine facts, child-process measurement, BENCHMARKS.md sections."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\nEach section is written by the script it names; re-run it to refresh.\n"
    "Machines here are shared and noisy: figures are medians, with a baseline measured in the "
    "same run.\n"
)


@dataclass(frozen=True)
class RunResult:
    """One child process: wall time, peak resident memory, exit code and output; CPU time
    (user + system) of the process and of the children it waited for."""

    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu_s: float = 0.0


def run_measured(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> RunResult:
    """Run a command (in `cwd` if given); its own peak RSS comes from wait4 (not the max over
    all children)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak_mb = usage.ru_maxrss / 1024
        cpu_s = usage.ru_utime + usage.ru_stime
        return RunResult(seconds, peak_mb, process.returncode, out.read(), err.read(), cpu_s)


def papertide(*args: str) -> list[str]:
    """The command line running papertide with these arguments in this Python."""
    return [sys.executable, "-m", "papertide", *args]


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found[1].strip() if found else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of BENCHMARKS.md."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else HEADER
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"## {title}\n\n_Measured {stamp} on {machine()}._\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    BENCHMARKS.write_text(text.rstrip() + "\n")
