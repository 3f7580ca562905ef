"""wiring.build_web_services: one static embedder and one secret key for every service; the
app it serves stops the search threads when it stops."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from papertide import wiring
from papertide.config import Settings
from papertide.secret_key import load_secret_key
from papertide.web.app import create_app


def counting(calls: list[str], name: str, real: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    return call


def test_an_app_loads_its_embedder_and_reads_its_key_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    calls: list[str] = []
    monkeypatch.setattr(
        wiring, "build_embedder", counting(calls, "embedder", wiring.build_embedder)
    )
    monkeypatch.setattr(wiring, "load_secret_key", counting(calls, "key", load_secret_key))
    services = wiring.build_web_services(Settings(db=str(tmp_path / "a.db"), vector_refresh_s=0))
    try:
        assert sorted(calls) == ["embedder", "key"]
        assert services.secret_key == (tmp_path / "a.db.secret").read_text().strip().encode()
    finally:
        services.store.close()


def test_an_app_that_closes_its_store_stops_the_search_threads_first(tmp_path: Path):
    services = wiring.build_web_services(Settings(db=str(tmp_path / "a.db"), vector_refresh_s=0))
    others = set(threading.enumerate())
    with TestClient(create_app(services, close_store=True)) as client:
        assert client.get("/api/papers/search", params={"q": "graph networks"}).status_code == 200
        started = set(threading.enumerate()) - others
    searching = [thread for thread in started if thread.name.startswith("search")]
    assert searching  # the dense retrieval ran on the search service's threads
    assert not any(thread.is_alive() for thread in searching)
