"""Helpers for the Sphinx tests: copy a test project to a temporary folder and build it for real.

Builds run in-process through ``sphinx.application.Sphinx`` (as ``sphinx-build`` does), so a
test can hook events — e.g. record which documents are re-read — and read the warnings.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SAMPLE_SPECS = REPO / "sample_specs"
SAMPLE_FILTERS = REPO / "output_filters"
DOCS = REPO / "docs"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def copy_project(name: str, target: Path, *, specs: Path | None = SAMPLE_SPECS, filters: Path | None = SAMPLE_FILTERS) -> Path:
    """``target/src`` = ``sphinx_projects/<name>/src`` (or the whole folder), plus ``target/specs``
    and ``target/filters`` copies (a project's own ``specs``/``filters`` folders win)."""
    source = HERE / name
    target.mkdir(parents=True, exist_ok=True)
    for part in ("src", "specs", "filters"):
        if (source / part).is_dir():
            shutil.copytree(source / part, target / part)
    if not (target / "specs").exists() and specs is not None:
        shutil.copytree(specs, target / "specs")
    if not (target / "filters").exists() and filters is not None:
        shutil.copytree(filters, target / "filters")
    return target / "src"


@dataclass
class BuildResult:
    outdir: Path
    status: str
    warnings: str
    read: list[str] = field(default_factory=list)  # documents read in this build
    statuscode: int = 0
    app: Any = None  # the finished Sphinx application (for env and builder)

    def warning_lines(self) -> list[str]:
        return [line for line in self.warnings.splitlines() if "WARNING" in line or "ERROR" in line]


def build(
    srcdir: Path,
    outdir: Path,
    builder: str = "html",
    *,
    doctreedir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    warningiserror: bool = False,
    parallel: int = 0,
    fresh: bool = False,
) -> BuildResult:
    """Build ``srcdir`` like ``sphinx-build -b BUILDER [-W] [-j N]``; records documents read."""
    status, warning = io.StringIO(), io.StringIO()
    read: list[str] = []
    doctreedir = doctreedir or outdir.parent / f".doctrees-{outdir.name}"  # not in outdir: epub packs it
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir, srcdir, outdir, doctreedir, builder,
            confoverrides=overrides or {}, status=status, warning=warning,
            freshenv=fresh, warningiserror=warningiserror, parallel=parallel,
        )
        app.connect("env-before-read-docs", lambda app, env, docnames: read.extend(docnames))
        app.build()
    return BuildResult(outdir, _ANSI.sub("", status.getvalue()), _ANSI.sub("", warning.getvalue()), sorted(read), app.statuscode, app)


def every_byte(folder: Path) -> list[tuple[Path, bytes]]:
    """For leak checks: each file's bytes, and the inflated bytes of every zlib stream found in it."""
    found = []
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((path, data))
        for start in (m.start() for m in re.finditer(rb"\x78[\x01\x5e\x9c\xda]", data)):
            try:
                found.append((path, zlib.decompressobj().decompress(data[start:])))
            except zlib.error:
                continue
    return found


def python_env() -> dict[str, str]:
    """The environment for a child Python that must import this checkout's package."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def copy_docs(target: Path) -> Path:
    """``docs/`` (without build output and generated pages) with the sample API (its previous
    release, for the changelog, and its v1, for the versions) beside it."""
    ignore = shutil.ignore_patterns("_build", "reference", "versions", "_apidocs_snapshot", "__pycache__")
    shutil.copytree(DOCS, target / "docs", ignore=ignore)
    shutil.copytree(REPO / "sample_versions", target / "sample_versions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SAMPLE_SPECS, target / "sample_specs")
    shutil.copytree(SAMPLE_FILTERS, target / "output_filters")
    shutil.copytree(REPO / "sample_releases", target / "sample_releases", ignore=shutil.ignore_patterns("__pycache__"))
    return target / "docs"


def sphinx_build(args: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx build ARGS`` in a subprocess (for exit status and console output)."""
    environ = {**python_env(), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "build", *args],
        capture_output=True, text=True, env=environ, timeout=timeout, cwd=str(REPO),
    )
