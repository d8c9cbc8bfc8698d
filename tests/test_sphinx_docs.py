"""The project's own documentation builds with ``-W`` with every builder, from files and from
a live endpoint (``docs/build_with_live_endpoint.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sphinx_projects.buildtools import build, copy_docs, python_env

BUILDERS = ["html", "dirhtml", "singlehtml", "text", "latex", "man", "epub"]


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_docs(tmp_path_factory.mktemp("docs"))


@pytest.mark.parametrize("builder", BUILDERS)
def test_docs_build_with_W(docs: Path, builder: str) -> None:
    result = build(docs, docs.parent / "out" / builder, builder, warningiserror=True)
    assert result.warning_lines() == []
    assert result.statuscode == 0
    if builder == "html":
        pages = sorted(p.name for p in (result.outdir / "reference").glob("*.html"))
        assert pages == ["auth.html", "contracts.html", "index.html", "jobs.html", "messages.html", "models.html", "reports.html", "users.html"]
        assert 'href="reference/contracts.html#api-res-contracts"' in (result.outdir / "autobuild.html").read_text()


def test_docs_build_against_a_live_endpoint(docs: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(docs / "build_with_live_endpoint.py"), "text"],
        capture_output=True, text=True, env=python_env(), timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "serving sample_specs at http://127.0.0.1:" in done.stdout
    assert "endpoint stopped" in done.stdout
    assert f"the text output is in {docs / '_build' / 'text'}" in done.stdout
    assert "Possible output fields" in (docs / "_build" / "text" / "reference" / "contracts.txt").read_text()
