"""Worker processes that share the load: on Linux each `serve` worker listens on a socket of its
own, all bound to the same address with SO_REUSEPORT, so the kernel spreads new connections
across the workers. With one socket shared by all workers (uvicorn's way), whichever worker
wakes first accepts every connection waiting: a client opening its keep-alive connections at
once (a proxy's pool, a load test) had 13 or 14 of its 16 on one worker, which queued requests
at about 65% busy while the other idled.
"""

from __future__ import annotations

import logging
import socket
import sys

from uvicorn import Config
from uvicorn.supervisors import Multiprocess

SPREAD = sys.platform == "linux"  # elsewhere SO_REUSEPORT does not balance (or is missing)
logger = logging.getLogger("uvicorn.error")  # where uvicorn says where it listens


def free_address(host: str, port: int) -> tuple[str, int]:
    """(`host`, `port`) after checking that nothing listens there: a socket without
    SO_REUSEPORT must be able to bind it (so a second `serve` on the same port fails instead
    of quietly taking half the connections); port 0 becomes the port the system picks."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        return host, int(probe.getsockname()[1])


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (`host`, `port`) with SO_REUSEPORT, for one worker (which listens)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class SpreadWorkers(Multiprocess):
    """uvicorn's supervisor (start, health checks, restarts, signals), except that each worker
    it starts or restarts gets a new SO_REUSEPORT socket on the address instead of the one
    socket all share: uvicorn hands `self.sockets` to every process it makes."""

    def __init__(self, config: Config) -> None:
        self.address = free_address(config.host, config.port)
        super().__init__(config, sockets=[])
        host, port = self.address
        shown = f"[{host}]" if ":" in host else host
        logger.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", shown, port)

    @property
    def sockets(self) -> list[socket.socket]:
        return [listening_socket(*self.address)]

    @sockets.setter
    def sockets(self, _given: list[socket.socket]) -> None:
        """Multiprocess.__init__ stores the sockets it is given; a socket is made per worker."""
