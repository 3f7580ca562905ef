"""A real `python -m papertide serve` on a free loopback port, for browser and concurrency
tests: started with a clean PAPERTIDE_* environment, ready once it answers, its log kept."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServeProcess:
    """A running server: its base URL, process and log file (stdout and stderr)."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_until_ready(self) -> None:
        """Return once the server answers; RuntimeError (with its log) if it never does."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"serve exited with {self.process.returncode}:\n{self.log_text()}"
                )
            try:
                if httpx.get(f"{self.url}/static/favicon.svg", timeout=5.0).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"serve did not answer within {READY_TIMEOUT_S} s:\n{self.log_text()}")

    def stop(self) -> int:
        """Ctrl-C, as a user would; killed if it does not stop in time. Its exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@contextmanager
def serving(
    db: Path | str,
    log: Path,
    workers: int = 1,
    port: int | None = None,
    settings: Mapping[str, str] | None = None,
) -> Iterator[ServeProcess]:
    """`papertide serve` on `db` (a SQLite file or a database URL) with `workers` processes
    and these PAPERTIDE_* settings."""
    port = port or free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PAPERTIDE_")}
    env.update(settings or {})
    command = [sys.executable, "-m", "papertide", "serve", "--db", str(db)]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = ServeProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()
