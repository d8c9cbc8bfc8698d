"""``apidocs_versions``: several API versions in one real Sphinx build.

Three versions of the sample API: ``v1`` (its previous release, without ``list-payments``),
``v2`` (the sample) and ``v10`` (the sample without ``close-job``; it sorts after ``v2``).
They share almost every nickname: no duplicate, one ``objects.inv`` resolving each; pickers
link exactly the versions that have the operation, to targets that exist, and say when it
appeared and was removed; ``.. api:changes::`` between versions is the diff; adding a version
re-reads only its own pages and the pages whose pickers or changes it alters.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from sphinx.util.inventory import InventoryFile

from sphinx_apidocs.diff import compare, contract_of
from sphinx_apidocs.filters import load_filter_trees
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.audience import AudienceOrder, audience_view
from sphinx_projects.buildtools import REPO, build, sphinx_build

V1 = REPO / "sample_releases" / "2026-09"
REMOVED_IN_V10 = "close-job"
NEW_IN_V2 = "list-payments"


def make_versions(root: Path) -> dict[str, tuple[Path, Path]]:
    """version -> (specs, filters) folders under ``root``."""
    shutil.copytree(V1 / "sample_specs", root / "v1" / "specs")
    shutil.copytree(V1 / "output_filters", root / "v1" / "filters")
    shutil.copytree(REPO / "sample_specs", root / "v2" / "specs")
    shutil.copytree(REPO / "output_filters", root / "v2" / "filters")
    shutil.copytree(REPO / "sample_specs", root / "v10" / "specs")
    shutil.copytree(REPO / "output_filters", root / "v10" / "filters")
    jobs = root / "v10" / "specs" / "jobs.json"
    document = json.loads(jobs.read_text())
    for api in document["apis"]:
        api["operations"] = [op for op in api["operations"] if op["nickname"] != REMOVED_IN_V10]
    document["apis"] = [api for api in document["apis"] if api["operations"]]
    jobs.write_text(json.dumps(document, indent=2))
    return {name: (root / name / "specs", root / name / "filters") for name in ("v1", "v2", "v10")}


def write(path: Path, text: str) -> None:
    """Write ``text`` unless the file holds it already (Sphinx re-reads a touched file)."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def write_project(root: Path, versions: list[str], extra: str = "") -> Path:
    src = root / "src"
    src.mkdir(exist_ok=True)
    entries = {
        name: {"spec": f"../{name}/specs", "filters": f"../{name}/filters", "pages": f"api/{name}"} for name in versions
    }
    write(
        src / "conf.py",
        "extensions = ['sphinx_apidocs']\n"
        f"apidocs_versions = {entries!r}\n"
        "exclude_patterns = ['_build']\n" + extra
    )
    toctree = "".join(f"   api/{name}/index\n" for name in versions)
    write(
        src / "index.rst",
        "Sample API\n==========\n\n.. toctree::\n\n" + toctree + "   changes\n   plain\n\n"
        "Newest: :api:op:`list-users`; first: :api:op:`v1:list-users`; "
        f"resource :api:res:`v1:/users`.\n"
    )
    write(src / "changes.rst", "Changes v1 to v2\n================\n\n.. api:changes:: v1 v2\n")
    write(src / "plain.rst", "Plain\n=====\n\nNo API content but a link to :api:res:`v2:users`.\n")
    return src


def nicknames(specs: Path, filters: Path) -> set[str]:
    """The operations of a version as the build's (widest) audience sees them."""
    spec = load_spec(str(specs))
    order = AudienceOrder(("public", "partner", "internal"))
    view = audience_view(spec, "public", order)
    return {op.nickname for op in view.operations}


def inventory(out: Path) -> dict[str, dict[str, object]]:
    with (out / "objects.inv").open("rb") as handle:
        return InventoryFile.load(handle, "", lambda base, uri: uri)  # type: ignore[return-value]


def pickers(page: Path) -> dict[str, str]:
    """node id of each operation on ``page`` -> the HTML of its version picker."""
    text = page.read_text()
    found = {}
    for match in re.finditer(r'<dt class="sig[^"]*" id="(api-op-[^"]+)">(.*?)</dd>', text, re.S):
        picker = re.search(r'<p class="api-versions">(.*?)</p>', match.group(2), re.S)
        found[match.group(1)] = picker.group(1) if picker else ""
    return found


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Path, Path]], object]:
    root = tmp_path_factory.mktemp("versions")
    folders = make_versions(root)
    src = write_project(root, ["v1", "v2", "v10"])
    result = build(src, root / "out", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    return root, folders, result


def test_versions_sharing_nicknames_are_not_duplicates_and_one_inventory_resolves_each(three) -> None:  # type: ignore[no-untyped-def]
    root, folders, result = three
    assert "duplicate" not in result.warnings
    ops = inventory(root / "out")["api:operation"]
    for version, (specs, filters) in folders.items():
        for nickname in nicknames(specs, filters):
            uri = ops[f"{version}:{nickname}"].uri  # type: ignore[attr-defined]
            page, anchor = str(uri).split("#")
            assert page == f"api/{version}/{page.rsplit('/', 1)[1]}"
            assert f'id="{anchor}"' in (root / "out" / page).read_text()
    shared = nicknames(*folders["v1"]) & nicknames(*folders["v2"])
    assert len(shared) > 20  # the versions share almost every nickname
    assert not any(name in ops for name in shared)  # every name is qualified with its version
    assert f"v1:{NEW_IN_V2}" not in ops and f"v10:{REMOVED_IN_V10}" not in ops


def test_roles_name_a_version_or_mean_the_newest(three) -> None:  # type: ignore[no-untyped-def]
    root, _folders, _result = three
    index = (root / "out" / "index.html").read_text()
    assert 'href="api/v10/users.html#api-op-v10-list-users"' in index  # no prefix: the newest (v10 > v2)
    assert 'href="api/v1/users.html#api-op-v1-list-users"' in index
    assert 'href="api/v1/users.html#api-res-v1-users"' in index


def test_pickers_link_only_versions_that_have_the_operation_to_targets_that_exist(three) -> None:  # type: ignore[no-untyped-def]
    root, folders, _result = three
    order = ["v1", "v2", "v10"]
    having = {name: nicknames(*folders[name]) for name in order}
    checked = 0
    for version in order:
        for page in sorted((root / "out" / "api" / version).glob("*.html")):
            for node_id, picker in pickers(page).items():
                nickname = node_id[len(f"api-op-{version}-"):]
                expected = [name for name in order if nickname in having[name] and name != version]
                links = re.findall(r'<a class="reference internal" href="([^"]+)"[^>]*><code[^>]*><span class="pre">([^<]+)</span>', picker)
                assert [name for _href, name in links] == expected, (page.name, nickname)
                for href, name in links:
                    target, anchor = href.split("#")
                    assert f'id="{anchor}"' in (page.parent / target).read_text(), href
                assert f'<span class="pre">{version}</span></code> (this page)' in picker
                checked += 1
    assert checked >= 3 * 25
    words = lambda page: " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text())).split())  # noqa: E731
    assert f"v2 (this page) \N{MIDDLE DOT} v10 \N{EM DASH} new in v2." in words(root / "out" / "api" / "v2" / "contracts.html")
    assert f"v1 (this page) \N{MIDDLE DOT} v2 \N{EM DASH} removed in v10." in words(root / "out" / "api" / "v1" / "jobs.html")


def test_changes_between_versions_are_the_diff(three) -> None:  # type: ignore[no-untyped-def]
    root, folders, _result = three
    order = AudienceOrder(("public", "partner", "internal"))

    def contract(version: str):  # type: ignore[no-untyped-def]
        specs, filters = folders[version]
        view = audience_view(load_spec(str(specs)), "public", order)
        trees = {nick: loaded.tree for nick, loaded in load_filter_trees(str(filters), audience="public").items()}
        return contract_of(view, trees)

    changes = compare(contract("v1"), contract("v2"))
    assert any(change.id == "operation-added" and change.operation == NEW_IN_V2 for change in changes)
    page = (root / "out" / "changes.html").read_text()
    items = re.findall(r'<p class="api-change api-change-(\w+)">(.*?)</p>', page, re.S)
    assert len(items) == len(changes)
    for change in changes:
        words = f"{change.level.label.capitalize()} {change.id}" + (f" {change.subject}" if change.subject else "")
        assert any(
            level == change.level.label and words in " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split())
            for level, item in items
        ), change
    # The operations link to the newer version's descriptions.
    assert f'href="api/v2/billing.html#api-op-v2-{NEW_IN_V2}"' in page or f"#api-op-v2-{NEW_IN_V2}" in page


def test_an_unknown_version_is_one_warning(tmp_path: Path) -> None:
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2"])
    (src / "plain.rst").write_text("Plain\n=====\n\n.. api:operation:: list-users\n   :version: v9\n\n.. api:changes:: v1 v9\n")
    result = build(src, tmp_path / "out")
    lines = result.warning_lines()
    assert [line for line in lines if "no API version 'v9' in apidocs_versions (known: v1, v2)" in line and "plain.rst" in line]
    assert [line for line in lines if "api:changes: no release or version 'v9' (known: v1, v2)" in line], lines


def body(page: Path) -> str:
    text = page.read_text()
    return text[text.index('<div class="body"'):text.index('<div class="sphinxsidebar"')]


def test_adding_a_version_rereads_its_pages_and_those_of_pickers_and_changes_only(tmp_path: Path) -> None:
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2"])
    first = build(src, tmp_path / "out", warningiserror=True)
    assert first.statuscode == 0, first.warnings
    again = build(src, tmp_path / "out", warningiserror=True)
    assert again.read == []  # nothing changed: nothing re-read
    write_project(tmp_path, ["v1", "v2", "v10"])
    added = build(src, tmp_path / "out", warningiserror=True)
    assert added.statuscode == 0, added.warnings
    read = set(added.read)
    assert {doc for doc in read if doc.startswith("api/v10/")} == {f"api/v10/{p.stem}" for p in (src / "api" / "v10").glob("*.rst")}
    assert "plain" not in read and "api/v1/index" not in read and "api/v2/index" not in read
    # v1 and v2 pages re-read are those with an operation v10 has (its picker changed).
    assert "api/v2/jobs" in read and "api/v1/users" in read
    # and nothing else: the re-read pages are what a fresh build of the same project shows.
    fresh = build(src, tmp_path / "fresh", warningiserror=True, fresh=True)
    for page in ("api/v1/jobs.html", "api/v2/users.html", "changes.html", "index.html", "plain.html"):
        # The page bodies (Sphinx rewrites the sidebar's navigation of the pages it writes only).
        assert body(tmp_path / "out" / page) == body(tmp_path / "fresh" / page), page
    # A link naming v2 keeps naming v2 once v10 is the newest (plain.rst was not re-read).
    assert 'href="api/v2/users.html#api-res-v2-users"' in (tmp_path / "out" / "plain.html").read_text()
    # Dropping a version removes its generated pages: no warning about a version that is gone.
    write_project(tmp_path, ["v1", "v2"])
    dropped = build(src, tmp_path / "out", warningiserror=True)
    assert dropped.statuscode == 0 and dropped.warning_lines() == [], dropped.warnings
    assert not list((src / "api" / "v10").glob("*.rst"))


def test_a_directive_without_version_follows_the_newest_version(tmp_path: Path) -> None:
    """``.. api:spec::`` without ``:version:`` means the newest version: when a newer one is
    added, the page is read again and links to the new version's pages."""
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2"])
    write(src / "plain.rst", "Plain\n=====\n\n.. api:spec::\n   :no-index:\n")
    assert build(src, tmp_path / "out", warningiserror=True).statuscode == 0
    assert "api/v2/users.html" in (tmp_path / "out" / "plain.html").read_text()
    write_project(tmp_path, ["v1", "v2", "v10"])
    write(src / "plain.rst", "Plain\n=====\n\n.. api:spec::\n   :no-index:\n")
    added = build(src, tmp_path / "out", warningiserror=True)
    assert "plain" in added.read
    page = (tmp_path / "out" / "plain.html").read_text()
    assert "api/v10/users.html" in page and "api/v2/users.html" not in page


def test_an_unchanged_rebuild_in_another_process_reads_nothing(tmp_path: Path) -> None:
    """The fingerprints of the changes pages do not depend on the process's hash seed."""
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2"])
    out = tmp_path / "out"
    first = sphinx_build(["-W", "-b", "html", str(src), str(out)], env={"PYTHONHASHSEED": "1"})
    second = sphinx_build(["-W", "-b", "html", str(src), str(out)], env={"PYTHONHASHSEED": "2"})
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "0 added, 0 changed, 0 removed" in second.stdout, second.stdout


def test_settings_that_cannot_work_together_are_said(tmp_path: Path) -> None:
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2"], extra="apidocs_resource_pages = 'api/v2/'\n")
    done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "apidocs_versions['v2']['pages']: 'api/v2' is also apidocs_resource_pages" in done.stderr
    src = write_project(tmp_path, ["v1", "v2"], extra="apidocs_resource_pages = 'reference'\n")
    result = build(src, tmp_path / "out2")
    assert [line for line in result.warning_lines() if "apidocs_resource_pages is set but apidocs_spec is not" in line]
    (src / "plain.rst").write_text("Plain\n=====\n\n.. api:changes:: v1 2026-09\n")
    with (src / "conf.py").open("a") as conf:
        conf.write("apidocs_changelog = [{'version': '2026-09', 'spec': '../v1/specs'}]\n")
    result = build(src, tmp_path / "out3")
    assert [line for line in result.warning_lines() if "api:changes: '2026-09' is a release of apidocs_changelog and 'v1' a version" in line]


def test_a_name_of_the_unversioned_spec_that_reads_as_a_versions_is_said(tmp_path: Path) -> None:
    make_versions(tmp_path)
    shutil.copytree(tmp_path / "v2", tmp_path / "current")
    users = tmp_path / "current" / "specs" / "users.json"
    users.write_text(users.read_text().replace('"nickname": "list-users"', '"nickname": "v1:list-users"'))
    src = write_project(tmp_path, ["v1", "v2"], extra="apidocs_spec = '../current/specs'\n")
    result = build(src, tmp_path / "out")
    assert [
        line for line in result.warning_lines()
        if "operation 'v1:list-users' of apidocs_spec reads as 'list-users' of version 'v1'" in line
    ], result.warnings


@pytest.mark.parametrize("builder", ["dirhtml", "singlehtml", "text", "latex"])
def test_every_builder_is_warning_free(tmp_path: Path, builder: str) -> None:
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2"])
    result = build(src, tmp_path / "out", builder, warningiserror=True)
    assert result.statuscode == 0, result.warnings
    assert result.warning_lines() == []
    if builder == "singlehtml":  # links inside one page: "#id", never "#document-X#id"
        page = (tmp_path / "out" / "index.html").read_text()
        assert 'href="#api-op-v2-list-users"' in page
        assert not re.search(r'href="#document-[^"#]*#', page)
    if builder == "text":
        text = (tmp_path / "out" / "api" / "v1" / "users.txt").read_text()
        assert '**Versions:** "v1" (this page) · "v2"' in text


def change_rows(fragment: str) -> set[tuple[str, ...]]:
    """(level, rule id, subject) of each change shown in an HTML fragment."""
    items = re.findall(r'<p class="api-change api-change-(\w+)">(.*?)</p>', fragment, re.S)
    return {tuple(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split()).split(" ")[:3]) for _level, item in items}


def test_changes_between_any_two_versions_equal_the_steps_composed(tmp_path: Path) -> None:
    """``v1 -> v10`` directly is ``v1 -> v2`` and ``v2 -> v10`` together (nothing cancels
    here: v2 adds an operation, v10 removes another); either order of the arguments works."""
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2", "v10"])
    sections = {"direct": "v1 v10", "first": "v1 v2", "second": "v2 v10", "back": "v10 v1"}
    (src / "plain.rst").write_text("Plain\n=====\n\n" + "".join(
        f"{name}\n{'-' * len(name)}\n\n.. api:changes:: {pair}\n\n" for name, pair in sections.items()
    ))
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    page = (tmp_path / "out" / "plain.html").read_text()
    shown = {name: change_rows(page.split(f'id="{name}"', 1)[1].split("<section", 1)[0]) for name in sections}
    assert shown["direct"] and shown["direct"] == shown["first"] | shown["second"]
    assert any(row[1] == "operation-added" for row in shown["first"])
    assert any(row[1] == "operation-removed" for row in shown["second"])  # close-job, no sunset: breaking
    assert any(row[1] == "operation-added" for row in shown["back"]) and any(row[1] == "operation-removed" for row in shown["back"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["v1"], "apidocs_versions: expected a dict {version name: {'spec', 'filters', 'pages'}}"),
        ({"v1": "specs"}, "apidocs_versions['v1']: expected a dict with 'spec'"),
        ({"v1": {}}, "apidocs_versions['v1']['spec']: expected a URL or path string"),
        ({"v1": {"spec": "x", "colour": "red"}}, "apidocs_versions['v1']: unknown key(s) 'colour'"),
        ({"v1:x": {"spec": "x"}}, "apidocs_versions: version name 'v1:x' must be 1-40 letters"),
        ({"v" * 41: {"spec": "x"}}, "apidocs_versions: version name"),
        ({"v1": {"spec": "x", "pages": "../up"}}, "apidocs_versions['v1']['pages']: '../up' must be a plain folder"),
        ({"v1": {"spec": "x", "pages": "api"}, "v2": {"spec": "y", "pages": "api/"}}, "apidocs_versions['v2']['pages']: 'api/' is also the folder of version 'v1'"),
        ({"v1": {"spec": "http://[::1/x"}}, "apidocs_versions['v1']['spec']: invalid URL"),
    ],
)
def test_bad_version_settings_are_one_line_each(value: object, message: str) -> None:
    from sphinx_apidocs.sphinxext.config import ApidocsConfig

    problems = ApidocsConfig.problems(type("Config", (), {"apidocs_versions": value})())
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_version_names_sort_naturally_in_the_settings() -> None:
    from sphinx_apidocs.sphinxext.config import ApidocsConfig

    config = ApidocsConfig.from_config(type("Config", (), {"apidocs_versions": {
        name: {"spec": name} for name in ("v10", "202202", "v2", "202201.02", "202201.01")
    }})())
    assert [v.name for v in config.versions] == ["202201.01", "202201.02", "202202", "v2", "v10"]


def test_an_operation_removed_since_links_to_the_older_version(tmp_path: Path) -> None:
    make_versions(tmp_path)
    src = write_project(tmp_path, ["v1", "v2", "v10"])
    (src / "plain.rst").write_text("Plain\n=====\n\n.. api:changes:: v2 v10\n")
    assert build(src, tmp_path / "out", warningiserror=True).statuscode == 0
    page = (tmp_path / "out" / "plain.html").read_text()
    assert f'href="api/v2/jobs.html#api-op-v2-{REMOVED_IN_V10}"' in page  # close-job: only v2 has it
    assert 'href="api/v10/' in page  # the others link to the newer version
