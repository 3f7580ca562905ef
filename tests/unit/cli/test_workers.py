"""serve's workers each listen on a socket of their own (SO_REUSEPORT), so that connections
opened all at once reach every worker, and a second serve on a busy port still fails."""

from __future__ import annotations

import select
import socket
import sys

import pytest
import uvicorn

from papertide.cli.workers import SpreadWorkers, free_address

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT balances on Linux")
CONNECTIONS = 16


def waiting_connections(listener: socket.socket) -> int:
    """Accept what is queued on `listener` (without blocking); how many there were."""
    listener.setblocking(False)
    count = 0
    while select.select([listener], [], [], 0.2)[0]:
        listener.accept()[0].close()
        count += 1
    return count


def test_each_worker_gets_its_own_socket_and_connections_opened_at_once_reach_both():
    supervisor = SpreadWorkers(uvicorn.Config("papertide.asgi:app_from_env", port=0, workers=2))
    first, second = supervisor.sockets[0], supervisor.sockets[0]
    try:
        assert first.fileno() != second.fileno()
        assert first.getsockname() == second.getsockname() == supervisor.address
        first.listen()
        second.listen()
        clients = [socket.create_connection(supervisor.address) for _ in range(CONNECTIONS)]
        counts = [waiting_connections(first), waiting_connections(second)]
        for client in clients:
            client.close()
    finally:
        first.close()
        second.close()
    assert sum(counts) == CONNECTIONS
    assert min(counts) > 0  # one shared socket: the first worker to wake took all 16


def test_a_port_something_listens_on_is_refused_even_to_reuse_port_sockets():
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            free_address("127.0.0.1", port)
        with pytest.raises(OSError):
            SpreadWorkers(uvicorn.Config("papertide.asgi:app_from_env", port=port, workers=2))
