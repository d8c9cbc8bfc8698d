"""The rendering helper (``sphinxext/prerender.py``): bodies made by a forked child are the
bytes the writer makes itself; a child that fails or never gets to a page changes nothing
but the speed; no child outlives its build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sphinx_apidocs.sphinxext import prerender, render
from sphinx_projects.buildtools import build, copy_project

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper needs os.fork")


def outputs(out: Path) -> dict[str, bytes]:
    """Every written file but Sphinx's build stamp."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != ".buildinfo"
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project("basic", tmp_path)


class Taken:
    """Records, per document, whether the writer got the child's bodies."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.documents: dict[str, bool] = {}
        real = prerender.prerendered

        def spy(env, docname):  # type: ignore[no-untyped-def]
            bodies = real(env, docname)
            self.documents[docname] = bodies is not None
            return bodies

        monkeypatch.setattr(prerender, "prerendered", spy)


def build_both_ways(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bool]]:
    """Outputs with and without the helper, and which documents got the child's bodies."""
    monkeypatch.setattr(prerender, "MIN_BODIES", 1)
    taken = Taken(monkeypatch)
    with_helper = build(project, project.parent / "with", fresh=True)
    assert with_helper.statuscode == 0
    documents = dict(taken.documents)
    monkeypatch.setattr(prerender, "ENABLED", False)
    without = build(project, project.parent / "without", fresh=True)
    assert without.warning_lines() == with_helper.warning_lines()
    return outputs(project.parent / "with"), outputs(project.parent / "without"), documents


def test_pages_and_search_index_are_the_same_bytes_with_and_without_the_helper(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead, here, taken = build_both_ways(project, monkeypatch)
    assert ahead == here
    assert "searchindex.js" in ahead
    # The child really made the bodies of the documents that show operations.
    assert taken.get("api/contracts") is True and taken.get("operations") is True


def test_a_failing_child_changes_nothing_but_the_speed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = render.markup_of

    def fails_in_the_child(app, node, docname):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and docname == "api/jobs":
            raise RuntimeError("the child breaks down on api/jobs")
        return real(app, node, docname)

    monkeypatch.setattr(render, "markup_of", fails_in_the_child)
    ahead, here, taken = build_both_ways(project, monkeypatch)
    assert ahead == here
    assert taken["api/contracts"] is True  # sent before the failure
    assert taken["api/jobs"] is False and taken["operations"] is False


def test_no_child_outlives_the_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prerender, "MIN_BODIES", 1)
    taken = Taken(monkeypatch)
    build(project, project.parent / "out", fresh=True)
    assert any(taken.documents.values())
    assert not prerender._helpers
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # nothing left to reap: the helper was waited for


def test_small_builds_and_other_writers_do_not_fork(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = Taken(monkeypatch)
    build(project, project.parent / "html", fresh=True)  # the sample API: fewer bodies than MIN_BODIES
    assert taken.documents and not any(taken.documents.values())
    monkeypatch.setattr(prerender, "MIN_BODIES", 1)
    taken.documents.clear()
    build(project, project.parent / "text", "text", fresh=True)
    assert not any(taken.documents.values())


def test_a_parallel_build_with_the_helper_matches_a_serial_one(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prerender, "MIN_BODIES", 1)
    build(project, project.parent / "serial", fresh=True)
    build(project, project.parent / "parallel", fresh=True, parallel=2)
    assert outputs(project.parent / "parallel") == outputs(project.parent / "serial")


@pytest.mark.parametrize(("cpus", "parallel_write"), [(2, False), (8, True)])
def test_sphinx_writes_in_parallel_only_with_a_core_beside_the_helper(
    project: Path, monkeypatch: pytest.MonkeyPatch, cpus: int, parallel_write: bool
) -> None:
    """On two CPUs the helper has the second one: ``-j`` reads in parallel but writes serially
    (its one write worker would compete with the helper); with more CPUs Sphinx writes in
    parallel as asked. The pages are the same bytes as a serial build's."""
    from sphinx.builders import Builder

    monkeypatch.setattr(prerender, "MIN_BODIES", 1)
    monkeypatch.setattr(prerender, "cpus", lambda: cpus)
    serial = build(project, project.parent / "serial", fresh=True)
    writes: list[str] = []
    for method in ("_write_serial", "_write_parallel"):
        real = getattr(Builder, method)

        def spy(self: Builder, *args: object, _real: object = real, _name: str = method, **kwargs: object) -> object:
            writes.append(_name)
            return _real(self, *args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(Builder, method, spy)
    taken = Taken(monkeypatch)
    parallel = build(project, project.parent / "parallel", fresh=True, parallel=2)
    assert parallel.warning_lines() == serial.warning_lines()
    assert any(taken.documents.values()), "the helper ran"
    assert writes == (["_write_parallel"] if parallel_write else ["_write_serial"])
    assert outputs(project.parent / "parallel") == outputs(project.parent / "serial")
