"""The recipes of README.md and the docs run as they are written.

The shell lines are taken from the documents themselves (the README tour's block after its
``<!-- tour: ... -->`` marker; the ``console`` blocks after ``.. recipe: NAME`` comments of
the ``.rst`` pages) and run verbatim with bash in a copy of the repository, with the
virtualenv's ``bin`` first on ``PATH``, on ports the system picks, with timeouts. Install
lines are not run (they need the network). ``docs/build_with_live_endpoint.py`` passes ``-W``
with the epub, text, latex and man builders.
"""

from __future__ import annotations

import os
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

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AUTOBUILD = shutil.which("sphinx-autobuild", path=str(BIN))
TIMEOUT = 240.0


# --- reading the recipes -------------------------------------------------------------------------


def readme_tour() -> str:
    """The ``sh`` block right after README.md's tour marker."""
    text = (ROOT / "README.md").read_text()
    match = re.search(r"<!-- tour:[^\n]*-->\n```sh\n(.*?)\n```", text, re.S)
    assert match, "README.md: no ```sh block after the <!-- tour: ... --> marker"
    return match.group(1) + "\n"


def rst_recipe(page: str, name: str) -> str:
    """The commands (``$ `` lines, with ``\\`` continuations) of the ``console`` block after
    ``.. recipe: NAME`` in ``docs/PAGE``."""
    text = (ROOT / "docs" / page).read_text()
    match = re.search(
        rf"^\.\. recipe: {re.escape(name)}\b[^\n]*\n\n\.\. code-block:: console\n\n((?:   [^\n]*\n|\n)+)", text, re.M
    )
    assert match, f"docs/{page}: no console block after '.. recipe: {name}'"
    lines: list[str] = []
    continued = False
    for raw in match.group(1).splitlines():
        line = raw[3:]
        if continued:
            lines[-1] += "\n" + line
        elif line.startswith("$ "):
            lines.append(line[2:])
        elif line.strip():
            raise AssertionError(f"docs/{page}: recipe {name}: not a command: {line!r}")
        continued = line.endswith("\\")
    assert lines, f"docs/{page}: recipe {name} is empty"
    return "\n".join(lines) + "\n"


# --- running them --------------------------------------------------------------------------------


def checkout(tmp_path: Path, *parts: str) -> Path:
    """A copy of the parts of the repository a recipe uses (no build output)."""
    ignore = shutil.ignore_patterns("_build", "reference", "versions", "_apidocs_snapshot", "__pycache__")
    work = tmp_path / "repo"
    for part in parts:
        shutil.copytree(ROOT / part, work / part, ignore=ignore)
    return work


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"API_TOKEN", "APIDOCS_SPEC", "VIRTUAL_ENV"}}
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["NO_COLOR"] = "1"
    return env


class Script:
    """A bash script in its own process group; its output (stdout and stderr) collected."""

    def __init__(self, script: str, cwd: Path, errexit: bool = True) -> None:
        path = cwd / ".recipe.sh"
        path.write_text(script)
        self.process = subprocess.Popen(
            ["bash", *(["-e"] if errexit else []), str(path)], cwd=cwd, env=environment(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self.lines: list[str] = []
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait(self, timeout: float) -> int:
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"timed out after {timeout} s:\n{self.output}") from None
        self._pump.join(timeout=10)
        return status

    def alive_in_group(self, grace: float = 0.0) -> bool:
        """Whether a process of the script's group still runs (zombies do not count: in a
        container nobody may reap them), waiting up to ``grace`` seconds for them to end."""
        deadline = time.monotonic() + grace
        while True:
            alive = self._members()
            if not alive or time.monotonic() >= deadline:
                return alive
            time.sleep(0.1)

    def _members(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        proc = Path("/proc")
        if not proc.is_dir():
            return True
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == self.process.pid and fields[0] != "Z":
                return True
        return False

    def stop(self) -> None:
        """SIGTERM to the whole group (bash, the endpoint, sphinx-autobuild), then SIGKILL."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.alive_in_group():
                time.sleep(0.1)
            if not self.alive_in_group():
                break
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self._pump.join(timeout=10)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return response.read().decode()


def wait_for(predicate, what: str, deadline: float, script: Script) -> None:
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        assert script.process.poll() is None, f"ended before {what}:\n{script.output}"
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}:\n{script.output}")


# --- README.md -----------------------------------------------------------------------------------


def test_readme_tour_runs_verbatim(tmp_path: Path) -> None:
    work = checkout(tmp_path, "sample_specs", "output_filters", "examples")
    script = Script(readme_tour(), work)
    try:
        status = script.wait(timeout=TIMEOUT)
        out = script.output
        assert status == 0, out
        assert "Traceback" not in out and "error:" not in out, out
        url = re.search(r"^endpoint: (http://127\.0\.0\.1:\d+/api-docs)$", out, re.M)
        assert url, out
        assert f"{url.group(1)}: valid Swagger 1.2: 6 resources, 30 operations\n" in out
        assert "sample_specs/api-docs.json: valid Swagger 1.2: 6 resources, 30 operations\n" in out
        assert "_apidocs_snapshot: wrote 7 documents\n" in out
        assert "info.ref\ninfo.location.city\ninfo.location.country\ninfo.portrait.url\nauth_user.uid\nauth_user.mail\n" in out
        assert '"storage_key"' not in out and "password_hash" not in out and "session" not in out
        assert out.count('"ref": "~01a2b3c4d5e6f7a8b9"') == 2 and out.count('"city": "Lisbon"') == 1
        assert (work / "myservice" / "output_filters.py").is_file()
        assert sorted(p.name for p in (work / "_apidocs_snapshot").iterdir())
        assert not script.alive_in_group(grace=10), "the tour left the endpoint running"
    finally:
        script.stop()


def test_the_tour_example_response_ships() -> None:
    assert "examples/response.json" in readme_tour()
    assert (ROOT / "examples" / "response.json").is_file()


# --- docs/getting-started.rst and docs/autobuild.rst ---------------------------------------------


def test_getting_started_live_build_runs_verbatim(tmp_path: Path) -> None:
    work = checkout(tmp_path, "docs", "sample_specs", "output_filters", "sample_releases", "sample_versions")
    recipe = rst_recipe("getting-started.rst", "live-build")
    assert "--port 0" in recipe and "8000" not in recipe
    script = Script(recipe, work)
    try:
        status = script.wait(timeout=TIMEOUT)
        out = script.output
        assert status == 0, out
        assert "build succeeded" in out
        assert re.search(r'"GET /api-docs HTTP/1\.[01]" 200', out), "the build did not read the live endpoint:\n" + out
        assert "Possible output fields" in (work / "docs" / "_build" / "html" / "reference" / "contracts.html").read_text()
        assert not script.alive_in_group(grace=10), "the recipe left the endpoint running"
    finally:
        script.stop()


def test_install_instructions_use_a_checkout() -> None:
    text = (ROOT / "docs" / "getting-started.rst").read_text()
    assert "$ pip install sphinx-apidocs" not in text
    assert "git clone" in text and "pip install -e ." in text
    assert "$ pip install" not in (ROOT / "docs" / "autobuild.rst").read_text()


@pytest.mark.skipif(AUTOBUILD is None, reason="sphinx-autobuild is not installed (pip install -e '.[autobuild]')")
@pytest.mark.parametrize("name", ["autobuild", "autobuild-live"])
def test_autobuild_recipe_serves_the_docs(name: str, tmp_path: Path) -> None:
    work = checkout(tmp_path, "docs", "sample_specs", "output_filters", "sample_releases", "sample_versions")
    recipe = rst_recipe("autobuild.rst", name)
    assert "--port 0" in recipe and "8000" not in recipe
    script = Script(recipe, work, errexit=False)
    deadline = time.monotonic() + TIMEOUT
    try:
        base = None
        while base is None and time.monotonic() < deadline:
            match = re.search(r"Serving on (http://127\.0\.0\.1:\d+)", script.output)
            if match:
                base = match.group(1)
                break
            assert script.process.poll() is None, script.output
            time.sleep(0.3)
        assert base, f"no 'Serving on' line:\n{script.output}"
        page = f"{base}/reference/contracts.html"
        wait_for(lambda: "Possible output fields" in fetch(page), "the first build", deadline, script)
        assert "sphinx_apidocs" in fetch(f"{base}/index.html")
        if name == "autobuild-live":
            assert re.search(r'"GET /api-docs HTTP/1\.[01]" 200', script.output), script.output
        assert "Traceback" not in script.output
    finally:
        script.stop()
    assert not script.alive_in_group(grace=10)


# --- docs/build_with_live_endpoint.py with other builders ----------------------------------------


def test_build_script_passes_W_with_epub_text_latex_and_man(tmp_path: Path) -> None:
    builders = ["epub", "text", "latex", "man"]
    runs = {}
    for builder in builders:
        work = checkout(tmp_path / builder, "docs", "sample_specs", "output_filters", "sample_releases", "sample_versions")
        if builder == "epub":  # doctrees an earlier run of the script left in the output folder
            stale = work / "docs" / "_build" / "epub" / ".doctrees"
            stale.mkdir(parents=True)
            (stale / "index.doctree").write_bytes(b"old")
        runs[builder] = (work, subprocess.Popen(
            [sys.executable, "docs/build_with_live_endpoint.py", builder], cwd=work, env=environment(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ))
    failures = []
    for builder, (work, process) in runs.items():
        try:
            out, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
        if process.returncode != 0 or "WARNING" in out:
            failures.append(f"--- {builder} (exit {process.returncode})\n{out}")
            continue
        assert "endpoint stopped" in out and "build succeeded" in out
    assert not failures, "\n".join(failures)
    outputs = {
        "epub": "epub/sphinx_apidocs.epub",
        "text": "text/reference/contracts.txt",
        "latex": "latex/sphinx_apidocs.tex",
        "man": "man/sphinx-apidocs.7",
    }
    for builder, path in outputs.items():
        assert (runs[builder][0] / "docs" / "_build" / path).is_file(), path
    assert "Possible output fields" in (runs["text"][0] / "docs" / "_build" / "text" / "reference" / "contracts.txt").read_text()
