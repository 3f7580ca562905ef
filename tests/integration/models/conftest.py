import importlib.util
import os

import pytest

from papertide.index.contextual import INSTALL_HINT, MODEL_PACKAGE, MiniLmEmbedder
from papertide.index.static import StaticEmbedder


@pytest.fixture(scope="session")
def static_embedder() -> StaticEmbedder:
    return StaticEmbedder.load()


@pytest.fixture(scope="session")
def minilm_embedder() -> MiniLmEmbedder:
    if importlib.util.find_spec(MODEL_PACKAGE) is None:
        # setup installs it with --no-deps (see INSTALL_HINT); a bare venv may lack it
        if os.environ.get("CI"):
            pytest.fail(f"the MiniLM weights package is missing: {INSTALL_HINT}")
        pytest.skip(f"the MiniLM weights package is not installed: {INSTALL_HINT}")
    return MiniLmEmbedder.load()
