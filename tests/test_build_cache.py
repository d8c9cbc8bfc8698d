"""The build cache (``sphinxext/build_cache.py``): a no-change rebuild reuses the spec and the
parsed filters of the last build; any changed byte, a new reader, ``-E`` or a broken cache
file means reading again, and no secret ever reaches a cache file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sphinx_apidocs.filters import audience_layers
from sphinx_apidocs.sphinxext import build_cache, filter_entries, spec_loading
from sphinx_apidocs.spec.serve import serving
from sphinx_projects.buildtools import build, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project("basic", tmp_path)


def doctrees(out: Path) -> Path:
    return out.parent / f".doctrees-{out.name}"


class Calls:
    """Counts the real reader's calls (the reader still runs: nothing is replaced)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.spec = self.filters = 0
        real_spec, real_filters = spec_loading.build_spec, filter_entries.parse_filter_bytes

        def count_spec(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.spec += 1
            return real_spec(*args, **kwargs)

        def count_filters(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.filters += 1
            return real_filters(*args, **kwargs)

        monkeypatch.setattr(spec_loading, "build_spec", count_spec)
        monkeypatch.setattr(filter_entries, "parse_filter_bytes", count_filters)


def test_a_no_change_rebuild_reads_neither_spec_nor_filters_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project.parent / "out"
    calls = Calls(monkeypatch)
    first = build(project, out)
    files = sum(len(layer_files) for _, layer_files in audience_layers(str(project.parent / "filters")))
    assert (calls.spec, calls.filters) == (1, files)
    page = (out / "api" / "contracts.html").read_text()
    again = build(project, out)
    assert (calls.spec, calls.filters) == (1, files)  # both from the cache
    assert again.warning_lines() == first.warning_lines()
    assert (out / "api" / "contracts.html").read_text() == page


def test_one_changed_byte_in_one_file_reads_that_input_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project.parent / "out"
    build(project, out)
    calls = Calls(monkeypatch)
    spec = project.parent / "specs" / "contracts.json"
    data = json.loads(spec.read_text())
    data["apis"][0]["operations"][0]["summary"] = "Summary changed by the cache test"
    spec.write_text(json.dumps(data))
    jobs = project.parent / "filters" / "jobs.yaml"
    jobs.write_text(jobs.read_text() + "\n# one more byte\n")
    build(project, out)
    assert (calls.spec, calls.filters) == (1, 1)  # the spec, and only the changed filter file
    assert "Summary changed by the cache test" in (out / "api" / "contracts.html").read_text()


def test_a_fresh_environment_reads_everything_and_renews_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project.parent / "out"
    build(project, out)
    calls = Calls(monkeypatch)
    build(project, out, fresh=True)  # sphinx-build -E
    assert calls.spec == 1 and calls.filters > 0
    build(project, out)
    assert calls.spec == 1  # the renewed cache serves the next build


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage"])
def test_a_broken_cache_file_is_a_miss(project: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes) -> None:
    out = project.parent / "out"
    first = build(project, out)
    page = (out / "api" / "jobs.html").read_text()
    for name in (build_cache.SPEC_CACHE, build_cache.FILTERS_CACHE):
        (doctrees(out) / name).write_bytes(damage)
    calls = Calls(monkeypatch)
    again = build(project, out, fresh=True)
    assert calls.spec == 1
    assert again.statuscode == 0 and again.warning_lines() == first.warning_lines()
    assert (out / "api" / "jobs.html").read_text() == page


def test_a_cache_written_by_other_code_is_not_used(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = project.parent / "out"
    build(project, out)
    calls = Calls(monkeypatch)
    monkeypatch.setattr(build_cache, "code_fingerprint", lambda: "another version of the readers")
    build(project, out)
    assert calls.spec == 1 and calls.filters > 0


def test_no_secret_reaches_a_cache_file(tmp_path: Path) -> None:
    """Headers and secret query values of the spec URL never reach the cache pickles."""
    specs = tmp_path / "specs"
    shutil.copytree(Path(__file__).resolve().parents[1] / "sample_specs", specs)
    src = copy_project("basic", tmp_path / "p", specs=None)
    secret, query_secret = "Bearer header-secret-7f3a9", "query-secret-91bd2"
    with serving(str(specs)) as url:
        conf = src / "conf.py"
        conf.write_text(
            conf.read_text().replace('apidocs_spec = "../specs"', f'apidocs_spec = "{url}?api_key={query_secret}"')
            + f"\napidocs_headers = {{'Authorization': {secret!r}}}\n"
        )
        out = tmp_path / "out"
        result = build(src, out)
    assert result.statuscode == 0
    caches = [doctrees(out) / build_cache.SPEC_CACHE, doctrees(out) / build_cache.FILTERS_CACHE]
    for cache in caches:
        data = cache.read_bytes()
        assert data, cache
        for needle in (secret, "header-secret-7f3a9", query_secret):
            assert needle.encode() not in data, cache
