"""A build with its helpers (filter files parsed ahead, fingerprints computed while documents
are read, cache files written aside) writes the same pages, says the same warnings and
records the same fingerprints as a build that does all of it itself; and the next build,
with nothing changed, reads nothing."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from sphinx_apidocs.spec import aside
from sphinx_apidocs.sphinxext import prerender, state
from sphinx_projects.buildtools import build, copy_project

pytestmark = pytest.mark.skipif(not aside.can_fork(), reason="needs fork, two CPUs and one thread")


def _pages(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*.html"))}


def _shown(doctrees: Path) -> dict[str, dict[str, str]]:
    with open(doctrees / "environment.pickle", "rb") as handle:
        env = pickle.load(handle)  # noqa: S301 - the test's own build
    return env.domaindata["api"]["shown"]


def test_helpers_change_nothing_but_the_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = copy_project("basic", tmp_path)
    (source.parent / "filters" / "broken.yaml").write_text("get-nothing: [a, [b]\n")  # parsed (and said) in place
    monkeypatch.setattr(state, "AHEAD_MIN_OPERATIONS", 1)
    monkeypatch.setattr(state, "AHEAD_MIN_FILES", 1)
    monkeypatch.setattr(prerender, "ENABLED", False)  # the pages' own bodies: not this test's helper
    forked: list[str] = []
    made = aside.Aside.__init__

    def noting(self: aside.Aside[object], func: object, *args: object, **kwargs: object) -> None:
        made(self, func, *args, **kwargs)  # type: ignore[arg-type]
        if self.forked:
            forked.append(getattr(func, "__name__", "?"))

    monkeypatch.setattr(aside.Aside, "__init__", noting)
    helped = build(source, tmp_path / "helped", fresh=True)
    assert helped.statuscode == 0
    assert {"parse_ahead", "all_fingerprints", "_store"} <= set(forked)
    monkeypatch.setattr(aside, "ENABLED", False)
    alone = build(source, tmp_path / "alone", fresh=True)
    assert helped.warning_lines() == alone.warning_lines()
    assert any("broken.yaml" in line for line in helped.warning_lines())
    assert _pages(tmp_path / "helped") == _pages(tmp_path / "alone")
    shown = _shown(tmp_path / ".doctrees-helped")
    assert shown == _shown(tmp_path / ".doctrees-alone")
    assert shown and not any(value == state.PENDING for keys in shown.values() for value in keys.values())
    monkeypatch.setattr(aside, "ENABLED", True)
    again = build(source, tmp_path / "helped")
    assert again.statuscode == 0 and again.read == []
