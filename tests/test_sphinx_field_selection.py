"""``apidocs_field_selection = True``: each operation with a filter says that clients may narrow
its output with ``fields=``, with an example built from its own "Possible output fields"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sphinx_apidocs.filters import load_filter_trees, select_tree
from sphinx_apidocs.sphinxext.compose import selection_example
from sphinx_projects.buildtools import SAMPLE_FILTERS, build, copy_project, sphinx_build

NOTE = "Supports field selection: add \"fields=\" with a comma-separated list of the paths below, e.g."
EXAMPLE = re.compile(r'e\.g\. "(\?fields=[^"]*)"\.')


def _text(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project("basic", tmp_path_factory.mktemp("selection"))


@pytest.fixture(scope="module")
def enabled(project: Path) -> Path:
    result = build(project, project.parent / "out" / "on", "text", overrides={"apidocs_field_selection": True}, warningiserror=True)
    assert result.statuscode == 0, result.warnings
    return result.outdir


def test_each_operation_with_a_filter_gets_the_note_with_its_own_paths(enabled: Path) -> None:
    auth = _text(enabled / "api" / "auth.txt")
    assert f'{NOTE} "?fields=info.ref,info.location.city".' in auth
    # Three operations of /auth have a filter; revoke-auth-token returns nothing and has none.
    assert auth.count(NOTE) == 3
    assert f'{NOTE} "?fields=tokens.id,tokens.client_name".' in auth
    # The operations are rendered in spec order: revoke-auth-token (no filter) comes last.
    assert NOTE not in auth[auth.index('"revoke-auth-token"'):]


def test_the_note_sits_under_possible_output_fields(enabled: Path) -> None:
    page = (enabled / "api" / "auth.txt").read_text(encoding="utf-8")
    rubric = page.index("-[ Possible output fields ]-")
    note = page.index("Supports field selection", rubric)
    table = page.index("| Field", rubric)
    assert rubric < note < table


def test_every_example_is_a_selection_the_service_accepts(enabled: Path) -> None:
    trees = load_filter_trees(str(SAMPLE_FILTERS))
    examples = []
    for page in (enabled / "api").glob("*.txt"):
        examples.extend(EXAMPLE.findall(_text(page)))
    assert len(examples) >= 20
    allowed_somewhere = [
        any(_accepts(loaded.tree, example) for loaded in trees.values()) for example in examples
    ]
    assert all(allowed_somewhere)


def _accepts(tree, example: str) -> bool:
    try:
        select_tree(tree, example.removeprefix("?fields="))
    except ValueError:
        return False
    return True


def test_the_example_escapes_like_a_request() -> None:
    assert selection_example(["info.ref"]) == "?fields=info.ref"
    assert selection_example(["a", "b", "c"]) == "?fields=a,b"
    assert selection_example(["app\\.version", "odd,name"]) == "?fields=app\\.version,odd\\,name"


def test_absent_by_default(project: Path) -> None:
    result = build(project, project.parent / "out" / "off", "text", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    pages = " ".join(_text(p) for p in (result.outdir / "api").glob("*.txt"))
    assert "Possible output fields" in pages
    assert "Supports field selection" not in pages and "?fields=" not in pages


def test_a_wrong_value_stops_the_build(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    with (src / "conf.py").open("a") as conf:
        conf.write('apidocs_field_selection = "yes"\n')
    done = sphinx_build(["-b", "text", str(src), str(tmp_path / "out")])
    assert done.returncode == 2
    assert "apidocs_field_selection: expected True or False, got str 'yes'" in done.stderr
