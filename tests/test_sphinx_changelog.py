"""``apidocs_changelog`` and ``.. api:changelog::`` in real builds: every change of the diff is
on the page under its release and operation, with its level; operation pages say when they
were added or changed; a rebuild re-reads only what a changed history touches; releases come
from paths or ``git:`` revisions; bad settings and unloadable releases are one line each."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sphinx_apidocs.diff import diff_specs
from sphinx_apidocs.filters import load_filter_trees
from sphinx_apidocs.spec import load_spec
from sphinx_projects.buildtools import REPO, build, copy_project

RELEASE = REPO / "sample_releases" / "2026-09"


def project_with_changelog(tmp_path: Path, **entry: str) -> Path:
    """The basic project, its previous release copied beside it, a changelog page."""
    src = copy_project("basic", tmp_path)
    shutil.copytree(RELEASE, tmp_path / "old")
    release = {"version": "2026-09", "date": "2026-09-01", "spec": "../old/sample_specs", "filters": "../old/output_filters"}
    release.update(entry)
    with (src / "conf.py").open("a") as conf:
        conf.write(f"apidocs_changelog = [{release!r}]\napidocs_changelog_current = '2026-12'\n")
    (src / "changes.rst").write_text("Changes\n=======\n\n.. api:changelog::\n")
    index = src / "index.rst"
    index.write_text(index.read_text() + "\n.. toctree::\n\n   changes\n")
    return src


def text_of(page: Path) -> str:
    body = page.read_text()
    body = body[body.index('<div class="body"'):] if '<div class="body"' in body else body
    body = body.replace('<span class="colon">:</span>', ":")  # field labels: "History:"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split()).replace(" :", ":")


def expected_changes(old_specs: Path, old_filters: Path) -> list:  # type: ignore[type-arg]
    return diff_specs(
        load_spec(str(old_specs)), load_spec(str(REPO / "sample_specs")),
        load_filter_trees(str(old_filters)), load_filter_trees(str(REPO / "output_filters")),
    )


def test_the_changelog_page_shows_every_change_under_its_release_and_operation(tmp_path: Path) -> None:
    src = project_with_changelog(tmp_path)
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    changes = expected_changes(tmp_path / "old" / "sample_specs", tmp_path / "old" / "output_filters")
    assert changes  # the sample's previous release differs
    page = (tmp_path / "out" / "changes.html").read_text()
    newest, oldest = page.index('id="release-2026-12"'), page.index('id="release-2026-09"')
    assert newest < oldest  # newest first
    shown = text_of(tmp_path / "out" / "changes.html")
    counts = {level: sum(1 for c in changes if c.level.label == level) for level in ("breaking", "warning", "info")}
    assert f"{len(changes)} changes: {counts['breaking']} breaking, {counts['warning']} warning, {counts['info']} info." in shown
    items = re.findall(r'<p class="api-change api-change-(\w+)">(.*?)</p>', page, re.S)
    assert len(items) == len(changes)
    for change in changes:
        words = f"{change.level.label.capitalize()} {change.id}" + (f" {change.subject}" if change.subject else "")
        assert any(level == change.level.label and words in text_of_fragment(item) for level, item in items), change
    # Operations that exist link to their description; the release of oldest has nothing to compare.
    assert 'href="api/contracts.html#' in page and "The oldest release in this changelog." in shown


def text_of_fragment(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_operation_pages_say_when_they_were_added_or_changed(tmp_path: Path) -> None:
    src = project_with_changelog(tmp_path)
    build(src, tmp_path / "out")
    contracts = text_of(tmp_path / "out" / "api" / "contracts.html")
    assert "History: Added in 2026-12" in contracts  # list-payments is new
    jobs = text_of(tmp_path / "out" / "api" / "jobs.html")
    assert "History: Changed in 2026-12" in jobs  # search-jobs: a new enum value, a field exposed
    messages = text_of(tmp_path / "out" / "api" / "messages.html")
    assert "History: Changed in 2026-12 (warning)" in messages  # list-threads' default count
    auth = text_of(tmp_path / "out" / "api" / "auth.html")
    assert "History:" not in auth  # nothing changed there


def test_a_rebuild_rereads_only_what_a_changed_history_touches(tmp_path: Path) -> None:
    src = project_with_changelog(tmp_path)
    out = tmp_path / "out"
    build(src, out)
    assert build(src, out).read == []
    # One more info change to get-job, already "changed in 2026-12": only the changelog page.
    jobs = tmp_path / "old" / "output_filters" / "jobs.yaml"
    jobs.write_text(jobs.read_text().replace("  - description\n", "", 1))
    again = build(src, out)
    assert again.read == ["changes"]
    assert "response-field-exposed description" in text_of(out / "changes.html")
    # The old release did not expose `auth_user.mail`: get-auth-user-info now has a history.
    auth = tmp_path / "old" / "output_filters" / "auth.yaml"
    auth.write_text(auth.read_text().replace("  - auth_user: [uid, mail]", "  - auth_user: [uid]", 1))
    again = build(src, out)
    assert again.read == ["api/auth", "changes"]
    assert "History: Changed in 2026-12" in text_of(out / "api" / "auth.html")


def test_a_release_from_a_git_revision(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    src = copy_project("basic", tmp_path)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "specs", "filters"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "release 1"], check=True)
    users = tmp_path / "specs" / "users.json"
    users.write_text(users.read_text().replace('"nickname": "list-user-portfolio"', '"nickname": "list-user-portfolio", "deprecated": true', 1))
    with (src / "conf.py").open("a") as conf:
        conf.write("apidocs_changelog = [{'version': '1', 'spec': 'git:HEAD:specs', 'filters': 'git:HEAD:filters'}]\n")
        conf.write("apidocs_changelog_current = '2'\n")
    (src / "changes.rst").write_text("Changes\n=======\n\n.. api:changelog::\n   :release: 2\n")
    index = src / "index.rst"
    index.write_text(index.read_text() + "\n.. toctree::\n\n   changes\n")
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    shown = text_of(tmp_path / "out" / "changes.html")
    assert "1 change: 0 breaking, 1 warning, 0 info." in shown
    assert "Warning operation-deprecated" in shown
    assert "release-1" not in (tmp_path / "out" / "changes.html").read_text()  # :release: 2 only


def test_an_unloadable_release_is_left_out_with_one_warning(tmp_path: Path) -> None:
    src = project_with_changelog(tmp_path, spec="../old/no-such-folder")
    result = build(src, tmp_path / "out")
    lines = [line for line in result.warning_lines() if "[apidocs.changelog]" in line]
    assert len(lines) == 1 and "release '2026-09' of apidocs_changelog cannot be loaded, left out" in lines[0]
    shown = text_of(tmp_path / "out" / "changes.html")
    assert "The oldest release in this changelog." in shown and "2026-09" not in shown
    quiet = build(src, tmp_path / "quiet", overrides={"suppress_warnings": ["apidocs.changelog"]})
    assert not [line for line in quiet.warning_lines() if "changelog" in line]


def test_the_directive_without_a_changelog_warns(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    (src / "changes.rst").write_text("Changes\n=======\n\n.. api:changelog::\n")
    result = build(src, tmp_path / "out")
    assert any("apidocs_changelog lists no earlier release [apidocs.changelog]" in line for line in result.warning_lines())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("releases", "apidocs_changelog: expected a list of releases"),
        ([{"spec": "x"}], "apidocs_changelog[0]['version']: expected a release name"),
        ([{"version": "1"}], "apidocs_changelog[0]['spec']: expected a URL, path or git:REV:PATH string"),
        ([{"version": "1", "spec": "x", "date": "2026-13-01"}], "apidocs_changelog[0]['date']: expected a date YYYY-MM-DD"),
        ([{"version": "1", "spec": "x", "colour": "red"}], "apidocs_changelog[0]: unknown key(s) 'colour'"),
        ([{"version": "1", "spec": "x"}, {"version": "1", "spec": "y"}], "apidocs_changelog[1]['version']: '1' is listed twice"),
    ],
)
def test_bad_changelog_settings_stop_the_build_with_one_line(tmp_path: Path, value: object, message: str) -> None:
    from sphinx_apidocs.sphinxext.config import ApidocsConfig

    problems = ApidocsConfig.problems(type("Config", (), {"apidocs_changelog": value})())
    assert len(problems) == 1 and problems[0].startswith(message), problems


def test_changes_between_any_two_releases_equal_the_steps_composed(tmp_path: Path) -> None:
    """``.. api:changes:: 2026-09 2026-12`` compares two releases directly; with a release in
    between, its changes are the two steps' changes together (nothing cancels here)."""
    src = project_with_changelog(tmp_path)
    middle = tmp_path / "middle"
    shutil.copytree(tmp_path / "old", middle)
    shutil.copy(REPO / "sample_specs" / "contracts.json", middle / "sample_specs" / "contracts.json")
    shutil.copy(REPO / "output_filters" / "contracts.yaml", middle / "output_filters" / "contracts.yaml")
    releases = [
        {"version": "2026-09", "date": "2026-09-01", "spec": "../old/sample_specs", "filters": "../old/output_filters"},
        {"version": "2026-10", "spec": "../middle/sample_specs", "filters": "../middle/output_filters"},
    ]
    with (src / "conf.py").open("a") as conf:
        conf.write(f"apidocs_changelog = {releases!r}\n")  # the last assignment wins
    (src / "since.rst").write_text("Since 2026-09\n=============\n\n.. api:changes:: 2026-09 2026-12\n\n.. api:changes:: 2026-12 nope\n")
    index = src / "index.rst"
    index.write_text(index.read_text() + "\n   since\n")
    result = build(src, tmp_path / "out")
    assert [line for line in result.warning_lines() if "api:changes: no release 'nope'" in line]
    page = (tmp_path / "out" / "since.html").read_text()
    direct = {tuple(text_of_fragment(item).split(" ")[:3]) for _, item in re.findall(r'<p class="api-change api-change-(\w+)">(.*?)</p>', page, re.S)}
    steps = (tmp_path / "out" / "changes.html").read_text()
    sections = {version: steps.split(f'id="release-{version}"', 1)[1].split("<section", 1)[0] for version in ("2026-10", "2026-12")}
    composed = {
        tuple(text_of_fragment(item).split(" ")[:3])
        for section in sections.values()
        for _, item in re.findall(r'<p class="api-change api-change-(\w+)">(.*?)</p>', section, re.S)
    }
    assert direct and direct == composed
    assert any(row[1] == "operation-added" for row in direct)  # the step 2026-09 -> 2026-10
