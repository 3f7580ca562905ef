"""The shared evaluation data (../shared/data beside the repository, present on CI)."""

from pathlib import Path

import pytest

from papertide.eval.datasets import CSFCUBE_DIR, default_data_dir


@pytest.fixture(scope="session")
def data_dir() -> Path:
    found = default_data_dir()
    if not (found / CSFCUBE_DIR).is_dir():
        pytest.skip(f"no shared evaluation data at {found} (CI has it beside the repository)")
    return found
