"""wiring.build_web_services: one static embedder and one secret key for every service."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from papertide import wiring
from papertide.config import Settings
from papertide.secret_key import load_secret_key


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
