"""What `pip install papertide` gives a user without a checkout (#17): the sdist and wheel build
(`python -m build`: the wheel from the sdist, so the sdist holds what a build needs), the wheel
installs without the dev extras, and demo, index, search and serve run from it alone, proving
that no file is missing from the package: demo data, model assets, migrations, templates and
static files."""

import json
import os
import signal
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.integration.web.test_serve import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
# files the running product reads besides its modules, one of each kind
PACKAGE_DATA = (
    "papertide/demo/papers.jsonl.xz",
    "papertide/demo/daily.jsonl.xz",
    "papertide/index/assets/minilm-static/embeddings.npy",
    "papertide/index/assets/minilm-static/tokenizer.json",
    "papertide/store/sqlite/migrations/m001_papers.py",
    "papertide/store/postgres/migrations/m001_papers.py",
    "papertide/web/templates/base.html",
    "papertide/web/templates/about_trending.md",
    "papertide/web/static/vendor/htmx/htmx.min.js",
    "papertide/digest/templates",
    "papertide/py.typed",
)
SDIST_ONLY = ("pyproject.toml", "README.md")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True, timeout=600)
    return out


def test_the_sdist_and_wheel_hold_the_package_data(dist: Path):
    (sdist,) = dist.glob("papertide-*.tar.gz")
    with tarfile.open(sdist) as archive:
        in_sdist = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    (wheel,) = dist.glob("papertide-*.whl")
    in_wheel = zipfile.ZipFile(wheel).namelist()
    for wanted in PACKAGE_DATA:
        assert any(name.startswith(wanted) for name in in_wheel), wanted
        assert any(name.startswith(wanted) for name in in_sdist), wanted
    for wanted in SDIST_ONLY:
        assert wanted in in_sdist
    assert not [name for name in in_sdist if name.startswith(".venv/") or name.endswith(".db")]


def test_the_wheel_installs_without_dev_extras_and_runs_demo_index_search_serve(
    dist: Path, tmp_path: Path
):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    (wheel,) = dist.glob("papertide-*.whl")
    pip = [python, "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, timeout=600)
    # nothing of the checkout: no PYTHONPATH, no settings, run from an empty folder
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and "PAPERTIDE" not in k}

    def papertide(*args: str) -> str:
        command = [str(venv / "bin" / "papertide"), *args]
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    code = "import papertide; print(papertide.__file__)"
    where = subprocess.run(
        [python, "-c", code], check=True, capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)
    assert "Usage: papertide" in papertide("--help")
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"],
                            check=True, capture_output=True, text=True, env=env)  # fmt: skip
    assert not {p["name"].lower() for p in json.loads(listed.stdout)} & {"pytest", "ruff", "mypy"}

    db = str(tmp_path / "demo.db")
    papertide("demo", "--db", db)
    assert json.loads(papertide("stats", "--json", "--db", db))["papers"] > 20_000
    papertide("index", "--db", db)
    hits = json.loads(papertide("search", "video diffusion models", "--json", "--db", db))
    assert len(hits) >= 5
    assert any("diffusion" in hit["title"].lower() for hit in hits)

    port = free_port()
    serve = [str(venv / "bin" / "papertide"), "serve", "--port", str(port), "--db", db]
    process = subprocess.Popen(serve, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        home = wait_until_ready(f"http://127.0.0.1:{port}/", process)
        assert home.status_code == 200
        assert "bundled demo" in home.text  # templates, and the note `demo` left
        script = httpx.get(f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js")
        assert script.status_code == 200
        about = httpx.get(f"http://127.0.0.1:{port}/about")  # about_trending.md
        assert about.status_code == 200
        assert "trending" in about.text.lower()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
