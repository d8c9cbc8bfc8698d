"""sphinx-autobuild: editing a filter file changes the served page (a rebuild without ``-E``)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from sphinx_projects.buildtools import copy_project, python_env

AUTOBUILD = shutil.which("sphinx-autobuild", path=os.path.dirname(sys.executable)) or shutil.which("sphinx-autobuild")
TIMEOUT = 90.0


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.read().decode()


def _wait_for(predicate, what: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(AUTOBUILD is None, reason="sphinx-autobuild is not installed (pip install sphinx-apidocs[autobuild])")
def test_autobuild_serves_the_page_with_an_edited_filter(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    filters = tmp_path / "filters"
    command = [
        AUTOBUILD, str(src), str(tmp_path / "out"), "--port", "0", "--host", "127.0.0.1",
        "--watch", str(filters), "--watch", str(tmp_path / "specs"), "-q",
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**python_env(), "NO_COLOR": "1"}, start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + TIMEOUT
    try:
        url = None
        while url is None and time.monotonic() < deadline:
            try:
                match = re.search(r"Serving on (http://127\.0\.0\.1:\d+)", lines.get(timeout=1))
            except queue.Empty:
                assert process.poll() is None, "".join(output)
                continue
            url = match.group(1) if match else None
        assert url, "".join(output)
        page = f"{url}/operations.html"
        _wait_for(lambda: "milestones.payments.method" in _fetch(page), "the first build", deadline)
        assert "terms.weekly_hours_cap" not in _fetch(page)

        contracts = filters / "contracts.yaml"
        contracts.write_text(contracts.read_text().replace("      - weekly_limit\n", "      - weekly_limit\n      - weekly_hours_cap\n", 1))
        _wait_for(lambda: "terms.weekly_hours_cap" in _fetch(page), "the rebuilt page", deadline)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
