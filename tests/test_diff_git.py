"""``git:REV:PATH`` sources: read a file or folder at a revision without checking it out.

Each test makes a throwaway repository in ``tmp_path`` (``git init``, two commits) and runs in
it (``monkeypatch.chdir``); the project's own repository is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from cli_helpers import one_error, run_cli
from sphinx_apidocs.diff.sources import Budget, SourceError, is_git_source, parse_git_source, resolve
from sphinx_apidocs.filters import load_filter_trees
from sphinx_apidocs.spec import load_spec

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "diff_cli_fixtures")
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=GIT_ENV)
    return result.stdout.decode()


def commit(repo, files: dict[str, str | bytes], message: str) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def fixture(name: str) -> str:
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose HEAD~1 has pets-v1 (+ filters v1) and HEAD has the breaking v2."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, {"spec.json": fixture("pets-v1.json"), "filters/pets.yaml": fixture("filters-v1.yaml")}, "v1")
    commit(root, {"spec.json": fixture("pets-v2-breaking.json"), "filters/pets.yaml": fixture("filters-v2.yaml")}, "v2")
    monkeypatch.chdir(root)
    return root


# --- parsing -------------------------------------------------------------------------------------


def test_parse_git_source():
    assert is_git_source("git:HEAD:spec.json") and not is_git_source("spec.json")
    parsed = parse_git_source("git:origin/main:sample_specs")
    assert (parsed.rev, parsed.path) == ("origin/main", "sample_specs")
    assert parse_git_source("git:HEAD:a:b.json").path == "a:b.json"  # REV ends at the first colon


@pytest.mark.parametrize("source, reason", [
    ("git:HEAD", "expected git:REV:PATH"),
    ("git::spec.json", "expected git:REV:PATH"),
    ("git:HEAD:", "expected git:REV:PATH"),
    ("git:--output=x:spec.json", "may not start with '-'"),
    ("git:HEAD:--exec=x", "may not start with '-'"),
    ("git:HE\nAD:spec.json", "NUL or line breaks"),
])
def test_malformed_git_sources(source, reason):
    with pytest.raises(SourceError) as caught:
        parse_git_source(source)
    message = str(caught.value)
    assert reason in message and "\n" not in message


# --- resolving -----------------------------------------------------------------------------------


def test_other_sources_pass_through(tmp_path):
    with resolve("https://api.example.com/api-docs") as resolved:
        assert resolved.path == "https://api.example.com/api-docs" and resolved.temp is None
        assert resolved.shown("x") == "x"


def test_a_file_at_a_revision(repo):
    with resolve("git:HEAD~1:spec.json") as resolved:
        temp = resolved.temp
        assert temp is not None and os.path.isdir(temp)
        assert resolved.path == os.path.join(temp, "spec.json")
        with open(resolved.path, encoding="utf-8") as handle:
            assert json.load(handle) == json.loads(fixture("pets-v1.json"))
        assert stat_mode(temp) == 0o700  # a private folder
        spec = load_spec(resolved.path)
        assert {operation.nickname for operation in spec.operations} == {"list-pets", "get-pet", "delete-pet"}
        assert resolved.shown(f"{resolved.path}#/apis: bad") == "git:HEAD~1:spec.json#/apis: bad"
    assert not os.path.exists(temp)  # cleaned up
    assert git(repo, "status", "--porcelain") == ""  # nothing checked out or changed


def stat_mode(path: str) -> int:
    return os.stat(path).st_mode & 0o777


def test_a_folder_keeps_its_layout_and_only_documents(repo):
    commit(repo, {
        "api/api-docs.json": json.dumps({"swaggerVersion": "1.2", "apis": [{"path": "/pets"}]}),
        "api/v1/pets.json": fixture("pets-v1.json"),
        "api/README.md": "# not read",
        "api/logo.png": b"\x89PNG",
        "api/filters/a.yml": "get-pet: [id]\n",
    }, "folder")
    os.symlink("/etc/passwd", repo / "api" / "link.json")
    commit(repo, {}, "a symbolic link")
    with resolve("git:HEAD:api") as resolved:
        files = sorted(
            os.path.relpath(os.path.join(folder, name), resolved.path)
            for folder, _, names in os.walk(resolved.path) for name in names
        )
        assert files == ["api-docs.json", os.path.join("filters", "a.yml"), os.path.join("v1", "pets.json")]
        spec = load_spec(resolved.path)
        assert {operation.nickname for operation in spec.operations} == {"list-pets", "get-pet", "delete-pet"}


def test_a_listing_file_brings_its_declarations(repo):
    listing = {"swaggerVersion": "1.2", "apis": [{"path": "/pets.{format}", "description": "Pets"}]}
    commit(repo, {"docs/api-docs.json": json.dumps(listing), "docs/pets.json": fixture("pets-v1.json")}, "listing")
    with resolve("git:HEAD:docs/api-docs.json") as resolved:
        spec = load_spec(resolved.path)
        assert [resource.resource_path for resource in spec.resources] == ["/pets"]


def test_external_references_of_an_openapi_file_come_along(repo):
    spec = fixture("pets-v1.openapi.yaml").replace(
        "    Pet:\n      type: object\n      required: [id]\n      properties:\n        id: {type: integer, format: int64}\n"
        "        name: {type: string}\n        tag: {type: string}\n",
        "    Pet:\n      $ref: \"../common/pet.yaml\"\n",
    )
    assert "../common/pet.yaml" in spec
    pet = "type: object\nrequired: [id]\nproperties:\n  id: {type: integer, format: int64}\n  name: {$ref: 'name.yaml'}\n"
    commit(repo, {"api/openapi.yaml": spec, "common/pet.yaml": pet, "common/name.yaml": "type: string\n",
                  "common/unrelated.yaml": "x: 1\n"}, "openapi")
    with resolve("git:HEAD:api/openapi.yaml") as resolved:
        copied = sorted(
            os.path.relpath(os.path.join(folder, name), resolved.temp)
            for folder, dirs, names in os.walk(resolved.temp) for name in names
        )
        assert copied == [os.path.join("api", "openapi.yaml"), os.path.join("common", "name.yaml"),
                          os.path.join("common", "pet.yaml")]
        loaded = load_spec(resolved.path)
        assert {operation.nickname for operation in loaded.operations} == {"list-pets", "get-pet", "delete-pet"}


def test_a_path_from_the_current_folder(repo, monkeypatch):
    commit(repo, {"sub/spec.json": fixture("pets-v1.json")}, "sub")
    monkeypatch.chdir(repo / "sub")
    with resolve("git:HEAD:./spec.json") as resolved:
        assert resolved.path.endswith(os.path.join("sub", "spec.json"))
    with resolve("git:HEAD:spec.json") as resolved:  # as git reads REV:PATH: from the top
        assert json.loads(open(resolved.path, encoding="utf-8").read())["apis"][0]["operations"][0]["parameters"][-1]["name"] == "owner"
    with resolve("git:HEAD:../filters") as resolved:
        assert set(load_filter_trees(resolved.path)) == {"get-pet", "list-pets", "create-pet"}


@pytest.mark.parametrize("source, expected", [
    ("git:no-such-branch:spec.json", "git:no-such-branch:spec.json: unknown revision no-such-branch in "),
    ("git:HEAD~1:missing.json", "git:HEAD~1:missing.json: missing.json does not exist at HEAD~1"),
    ("git:HEAD:../outside.json", "git:HEAD:../outside.json: ../outside.json is outside the repository"),
])
def test_errors_name_the_source_in_one_line(repo, source, expected):
    with pytest.raises(SourceError) as caught:
        with resolve(source):
            pass
    message = str(caught.value)
    assert message.startswith(expected) and "\n" not in message


def test_not_a_git_repository(tmp_path, monkeypatch):
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(SourceError, match=r"^git:HEAD:spec\.json: not in a git repository \(.*\)$"):
        with resolve("git:HEAD:spec.json"):
            pass


def test_the_budget_bounds_what_is_copied(repo):
    with pytest.raises(SourceError, match="more than 1 documents"):
        with resolve("git:HEAD:.", budget=Budget(files=1)):
            pass
    with pytest.raises(SourceError, match="more than 10 bytes"):
        with resolve("git:HEAD:spec.json", budget=Budget(bytes=10)):
            pass


def test_the_temporary_copy_is_removed_after_an_error(repo, tmp_path, monkeypatch):
    made: list[str] = []
    real_mkdtemp = __import__("tempfile").mkdtemp

    def mkdtemp(**kwargs: str) -> str:
        made.append(real_mkdtemp(**kwargs))
        return made[-1]

    monkeypatch.setattr("sphinx_apidocs.diff.sources.tempfile.mkdtemp", mkdtemp)
    with pytest.raises(SourceError):
        with resolve("git:HEAD:missing.json"):
            pass
    with pytest.raises(RuntimeError):
        with resolve("git:HEAD:spec.json"):
            raise RuntimeError("boom")
    assert len(made) == 2 and not any(os.path.exists(path) for path in made)


# --- the command ---------------------------------------------------------------------------------


def test_load_errors_of_git_sources_exit_2(repo, capsys):
    status, out, err, _ = run_cli(["diff", "git:nope:spec.json", "spec.json"], capsys)
    assert status == 2 and out == ""
    assert one_error(err).startswith("git:nope:spec.json: unknown revision nope")
    status, out, err, _ = run_cli(["diff", "git:HEAD~1:spec.json", "spec.json", "--old-filters", "git:HEAD~1:nofilters"], capsys)
    assert status == 2 and one_error(err) == "git:HEAD~1:nofilters: nofilters does not exist at HEAD~1"


def test_a_broken_spec_at_a_revision_is_named_as_the_git_source(repo, capsys):
    commit(repo, {"broken.json": '{"swaggerVersion": "1.2", "resourcePath": "/x", "apis": [{"path": 3}]}'}, "broken")
    status, out, err, _ = run_cli(["diff", "git:HEAD:broken.json", "spec.json"], capsys)
    assert status == 2 and out == ""
    assert err.startswith("error: git:HEAD:broken.json") and "sphinx-apidocs-git-" not in err


def test_diff_a_revision_against_the_working_file(repo, capsys):
    status, out, err, _ = run_cli(["diff", "git:HEAD~1:spec.json", "spec.json", "--format", "json"], capsys)
    assert status == 1, err
    ids = {(change["id"], change["operation"]) for change in json.loads(out)["changes"]}
    assert ("operation-removed", "delete-pet") in ids
    assert ("parameter-added-required", "list-pets") in ids
    status, out, err, _ = run_cli(["diff", "git:HEAD:spec.json", "spec.json"], capsys)
    assert (status, out) == (0, "no changes\n")


def test_diff_with_filters_at_revisions(repo, capsys):
    argv = ["diff", "git:HEAD~1:spec.json", "git:HEAD~1:spec.json", "--format", "json",
            "--old-filters", "git:HEAD~1:filters", "--new-filters", "filters"]
    status, out, err, _ = run_cli(argv, capsys)
    changes = json.loads(out)["changes"]
    assert status == 1, err
    assert [(c["id"], c["operation"], c["subject"]) for c in changes] == [("response-field-unexposed", "get-pet", "tag")]
    same = ["diff", "git:HEAD~1:spec.json", "spec.json", "--filters", "git:HEAD:filters", "--new-filters", "filters/pets.yaml",
            "--format", "json"]
    status, out, err, _ = run_cli(same, capsys)
    assert not any(c["id"].startswith("response-field") for c in json.loads(out)["changes"])
