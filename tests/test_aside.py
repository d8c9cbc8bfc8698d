"""Work done aside (``spec.aside``): the forked child's result is the plain call's, a child
that fails is replaced by a call here (with the call's own exception), and the loader's
schema check aside gives the same spec and the same problems as checking first."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

import pytest

from sphinx_apidocs.errors import SpecError
from sphinx_apidocs.spec import aside, loader
from sphinx_apidocs.spec.sources import load_documents

pytestmark = pytest.mark.skipif(not aside.can_fork(), reason="needs fork, two CPUs and one thread")


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def test_the_child_computes_and_the_result_is_the_calls() -> None:
    with aside.Aside(_pid_and, 21) as job:
        assert job.forked
        pid, value = job.result()
    assert value == 42 and pid != os.getpid()
    assert job.result() == (pid, 42)  # given once, kept


def _fails(message: str) -> None:
    raise ValueError(message)


def test_a_failing_child_is_replaced_by_the_call_here() -> None:
    with aside.Aside(_fails, "bad input") as job:
        assert job.forked
        with pytest.raises(ValueError, match="bad input"):
            job.result()


def _killed_in_child(parent: int) -> int:
    if os.getpid() != parent:
        os._exit(3)
    return 7


def test_a_child_that_dies_is_replaced_by_the_call_here() -> None:
    with aside.Aside(_killed_in_child, os.getpid()) as job:
        assert job.forked and job.result() == 7


def test_no_fork_with_another_thread_running() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with aside.Aside(_pid_and, 1) as job:
            assert not job.forked and job.result() == (os.getpid(), 2)
    finally:
        stop.set()
        thread.join()


def test_leaving_ends_a_child_still_running() -> None:
    with aside.Aside(lambda: threading.Event().wait(60)) as job:
        pid = job.pid
        assert pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped


def _big_spec(tmp_path: Path, broken: bool) -> Path:
    paths = {}
    for i in range(1200):
        operation: dict[str, object] = {"operationId": f"op{i}", "responses": {"200": {"description": "ok " + "x" * 200}}}
        if broken and i % 300 == 7:
            operation["responses"] = ["not", "a", "map"]
        paths[f"/things{i}"] = {"get": operation}
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths}))
    assert path.stat().st_size >= loader.ASIDE_BYTES
    return path


@pytest.mark.parametrize("broken", [False, True])
def test_the_loader_checks_aside_with_the_same_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool) -> None:
    source = str(_big_spec(tmp_path, broken))

    def outcome() -> object:
        try:
            return repr(loader.build_spec(load_documents(source)))
        except SpecError as exc:
            return ("SpecError", str(exc))

    forks: list[bool] = []
    made = aside.Aside.__init__

    def noting(self: aside.Aside[object], *args: object, **kwargs: object) -> None:
        made(self, *args, **kwargs)  # type: ignore[arg-type]
        forks.append(self.forked)

    monkeypatch.setattr(aside.Aside, "__init__", noting)
    checked_aside = outcome()
    monkeypatch.setattr(aside, "ENABLED", False)
    checked_first = outcome()
    assert forks == [True, False]
    assert checked_aside == checked_first
    assert isinstance(checked_first, tuple) == broken
    if broken:
        assert "/paths/~1things7/get/responses" in checked_first[1]


def test_a_failed_load_leaves_no_filter_parse_running(tmp_path: Path) -> None:
    """A build whose spec cannot be loaded ends the helper parsing its filters ahead (it
    would otherwise wait forever to hand over a result nobody takes)."""
    from sphinx_apidocs.sphinxext.build_cache import BuildCache
    from sphinx_apidocs.sphinxext.filter_entries import parse_ahead

    files = []
    for i in range(20):
        path = tmp_path / f"f{i}.yaml"
        path.write_text("".join(f"op-{i}-{j}: [" + ", ".join(f"field{k}.x" for k in range(40)) + "]\n" for j in range(40)))
        files.append((str(path), str(path)))
    cache = BuildCache(str(tmp_path / "doctrees"))
    cache.filter_files().ahead = aside.Aside(parse_ahead, files)
    pid = cache.filter_files().ahead.pid
    assert pid
    with pytest.raises(RuntimeError):
        with contextlib.closing(cache):
            raise RuntimeError("the spec could not be loaded")
    assert cache.filter_files().ahead is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # ended and reaped
