"""serve's address for links when base_url is not set."""

from __future__ import annotations

import socket

from papertide.cli.serve import listen_url


def test_listen_url_names_the_host_and_port_served():
    assert listen_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert listen_url("::1", 8000) == "http://[::1]:8000"


def test_listen_url_on_every_interface_uses_the_machine_name():
    assert listen_url("0.0.0.0", 80) == f"http://{socket.getfqdn()}:80"
