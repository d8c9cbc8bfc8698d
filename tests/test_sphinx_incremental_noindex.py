"""Rebuilds without ``-E`` after edits that move link targets give what a fresh build gives.

Two descriptions of one operation warn (``apidocs.duplicate``); adding ``:no-index:`` to one
of them, moving a directive to another page, removing a duplicate... changes where links
point, in documents that were not edited. Sphinx re-reads only the edited documents, so:

* the link target of an object must not depend on which documents were read last (every
  description is kept; the first by document name is the target), and
* a document linking to an object whose target changed must be written again (its links
  are resolved when it is written), although its source did not change.

Each test builds a sequence of edits incrementally and compares, after every step, the HTML
links of every page and the warnings with a fresh (``-E``) build of the same sources.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from sphinx_projects.buildtools import SAMPLE_FILTERS, SAMPLE_SPECS, BuildResult, build

PAGES = ("a", "b", "c")
#: The index links to what the pages describe: an operation, a resource (through
#: ``:api:res:``), ``:any:`` and a model.
INDEX = """Index
=====

.. toctree::

   a
   b
   c

Links: :api:op:`get-contract`, :api:op:`search-jobs`, :api:res:`/contracts`, :any:`list-payments`,
:api:model:`Milestone`, :api:model:`Error`.
"""

#: Directive texts a page may hold (``%s``: options).
OPERATION = ".. api:operation:: get-contract\n{options}"
NO_INDEX = "   :no-index:\n"

_HREF = re.compile(r'<a class="reference[^"]*"[^>]*href="([^"]*)"')
_WARNING = re.compile(r"^.*?(WARNING|ERROR): .*$", re.M)


class Project:
    """A project with pages ``a``, ``b``, ``c`` over the sample API, built incrementally in
    one output folder and from scratch in another after each edit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.src = root / "src"
        self.src.mkdir(parents=True)
        (self.src / "conf.py").write_text(
            'extensions = ["sphinx_apidocs"]\n'
            f"apidocs_spec = {str(SAMPLE_SPECS)!r}\napidocs_filters = {str(SAMPLE_FILTERS)!r}\n"
            'suppress_warnings = ["apidocs.coverage", "apidocs.field"]\n'
        )
        (self.src / "index.rst").write_text(INDEX)
        self.pages: dict[str, str] = {}
        self.builds = 0

    def write(self, pages: dict[str, str]) -> None:
        for name in PAGES:
            body = pages.get(name, "")
            text = f"Page {name}\n=======\n\n{body}\n"
            path = self.src / f"{name}.rst"
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
        self.pages = dict(pages)

    def check(self) -> tuple[BuildResult, BuildResult]:
        """Build incrementally and from scratch; the pages' links and the warnings agree."""
        self.builds += 1
        incremental = build(self.src, self.root / "out")
        fresh = build(self.src, self.root / f"fresh-{self.builds}", fresh=True)
        assert links(incremental) == links(fresh), self.pages
        stale = warnings(incremental) - warnings(fresh)
        assert not stale, (self.pages, stale)
        # Duplicates are reported from the domain data in every build that reads something,
        # whichever documents were read.
        if incremental.read:
            assert duplicates(incremental) == duplicates(fresh), self.pages
        return incremental, fresh


def links(result: BuildResult) -> dict[str, list[str]]:
    """Page -> the hrefs of its internal references (dead links have none)."""
    found = {}
    for page in ("index", *PAGES):
        html = (result.outdir / f"{page}.html").read_text()
        body = html[html.index('<div class="body"'):html.index('<div class="sphinxsidebar"')] if '<div class="sphinxsidebar"' in html else html
        found[page] = _HREF.findall(body)
    return found


def warnings(result: BuildResult) -> set[str]:
    return {match.group(0) for match in _WARNING.finditer(result.warnings)}


def duplicates(result: BuildResult) -> set[str]:
    return {line for line in warnings(result) if "apidocs.duplicate" in line}


def operation(no_index: bool = False) -> str:
    return OPERATION.format(options=NO_INDEX if no_index else "")


RESOURCE = ".. api:resource:: /contracts\n"

#: Sequences of page contents: each step is edited in, then built both ways.
SEQUENCES = {
    "add no-index to the second": [
        {"a": operation(), "b": operation()},
        {"a": operation(), "b": operation(no_index=True)},
    ],
    "add no-index to the first": [
        {"a": operation(), "b": operation()},
        {"a": operation(no_index=True), "b": operation()},
    ],
    "remove no-index (a duplicate appears)": [
        {"a": operation(), "b": operation(no_index=True)},
        {"a": operation(), "b": operation()},
        {"a": operation(), "b": operation(no_index=True)},
    ],
    "remove the first of a duplicate": [
        {"a": operation(), "b": operation()},
        {"b": operation()},
        {"a": operation(), "b": operation()},
    ],
    "move a directive to another page": [
        {"a": operation()},
        {"c": operation()},
        {"b": operation()},
        {"a": operation()},
    ],
    "no-index on the only description (the link dies, then comes back)": [
        {"a": operation()},
        {"a": operation(no_index=True)},
        {"a": operation()},
    ],
    "a resource and its operation described twice": [
        {"a": RESOURCE, "c": operation()},
        {"a": RESOURCE, "c": operation(no_index=True)},
        {"a": RESOURCE + "   :no-index:\n", "c": operation()},
        {"b": RESOURCE},
    ],
    "models with and without their resource": [
        {"a": RESOURCE, "b": ".. api:models::\n"},
        {"a": RESOURCE + "   :no-models:\n", "b": ".. api:models::\n"},
        {"a": RESOURCE, "c": ".. api:models::\n"},
        {"a": RESOURCE, "b": ".. api:models::\n", "c": ".. api:models::\n"},
        {"a": RESOURCE, "b": ".. api:models::\n", "c": ".. api:models::\n   :no-index:\n"},
    ],
}


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_incremental_builds_equal_fresh_builds(name: str, tmp_path: Path) -> None:
    project = Project(tmp_path)
    for step in SEQUENCES[name]:
        project.write(step)
        project.check()


def test_the_reported_case(tmp_path: Path) -> None:
    """A duplicate warns; ``:no-index:`` on one fixes it: no stale warning, no dead link."""
    project = Project(tmp_path)
    project.write({"a": operation(), "b": operation()})
    first, _ = project.check()
    assert [line for line in warnings(first) if "duplicate" in line] == [
        f"{project.src}/b.rst:4: WARNING: duplicate description of API operation get-contract, other instance "
        "in a; use :no-index: on one of them [apidocs.duplicate]"
    ]
    project.write({"a": operation(), "b": operation(no_index=True)})
    again, _ = project.check()
    assert again.read == ["b"]
    assert not [line for line in warnings(again) if "duplicate" in line or "get-contract" in line]
    assert 'href="a.html#api-op-get-contract"' in (again.outdir / "index.html").read_text()
    # The other way round: the first one gets :no-index:, the link moves to b.
    project.write({"a": operation(no_index=True), "b": operation()})
    moved, _ = project.check()
    assert moved.read == ["a", "b"]
    assert 'href="b.html#api-op-get-contract"' in (moved.outdir / "index.html").read_text()


def test_a_moved_target_rewrites_the_linking_page_without_rereading_it(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.write({"a": operation()})
    project.check()
    project.write({"b": operation()})
    result, _ = project.check()
    assert result.read == ["a", "b"]  # index is not re-read...
    assert 'href="b.html#api-op-get-contract"' in (result.outdir / "index.html").read_text()  # ...but re-written
    project.write({"b": operation(), "c": "Nothing to link to.\n"})
    result, _ = project.check()
    assert result.read == ["c"]
    assert "1 found" not in result.status  # nothing moved: index is not written again


# -- a state machine: random sequences of the same edits -------------------------------------


ITEMS = ("op", "op-no-index", "resource", "resource-no-index", "resource-no-models", "models")
TEXTS = {
    "op": operation(),
    "op-no-index": operation(no_index=True),
    "resource": RESOURCE,
    "resource-no-index": RESOURCE + "   :no-index:\n",
    "resource-no-models": RESOURCE + "   :no-models:\n",
    "models": ".. api:models::\n",
}


class Edits(RuleBasedStateMachine):
    """Each page holds a few of :data:`ITEMS`; each rule edits one page, then both builds run."""

    root: Path

    @initialize()
    def start(self) -> None:
        Edits.counter = getattr(Edits, "counter", 0) + 1
        self.project = Project(Edits.root / f"run-{Edits.counter}")
        self.contents: dict[str, list[str]] = {page: [] for page in PAGES}

    def _apply(self) -> None:
        self.project.write({page: "\n".join(TEXTS[item] for item in items) for page, items in self.contents.items()})
        self.project.check()

    @rule(page=st.sampled_from(PAGES), item=st.sampled_from(ITEMS))
    def add(self, page: str, item: str) -> None:
        self.contents[page].append(item)
        self._apply()

    @rule(page=st.sampled_from(PAGES), index=st.integers(0, 3))
    def remove(self, page: str, index: int) -> None:
        if self.contents[page]:
            del self.contents[page][index % len(self.contents[page])]
        self._apply()

    @rule(page=st.sampled_from(PAGES), index=st.integers(0, 3))
    def toggle_no_index(self, page: str, index: int) -> None:
        items = self.contents[page]
        if items:
            i = index % len(items)
            swap = {"op": "op-no-index", "op-no-index": "op", "resource": "resource-no-index", "resource-no-index": "resource"}
            items[i] = swap.get(items[i], items[i])
        self._apply()

    @rule(source=st.sampled_from(PAGES), destination=st.sampled_from(PAGES))
    def move(self, source: str, destination: str) -> None:
        if self.contents[source]:
            self.contents[destination].append(self.contents[source].pop(0))
        self._apply()

    @invariant()
    def nothing(self) -> None:  # the checks run in _apply, after each edit
        pass


def test_random_edit_sequences(tmp_path: Path) -> None:
    Edits.root = tmp_path
    Edits.TestCase.settings = settings(
        max_examples=3, stateful_step_count=4, deadline=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    Edits.TestCase().runTest()
