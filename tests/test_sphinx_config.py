"""The ``apidocs_*`` settings: one typed dataclass (``ApidocsConfig``), read once per build.

Every test here is generated from the dataclass, so a new setting cannot be forgotten: it
needs a bad value below, a ``confval`` in docs/configuration.rst with the same default.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sphinx_apidocs.sphinxext import config as config_module
from sphinx_apidocs.sphinxext.config import ApidocsConfig, ConfigUnusable, get_config
from sphinx_projects.buildtools import DOCS, build, copy_project

SETTINGS = ApidocsConfig.settings()

#: conf name -> (a wrong value, the one line that names it).
BAD: dict[str, tuple[Any, str]] = {
    "apidocs_spec": (3, "apidocs_spec: expected a URL or path string, got int 3"),
    "apidocs_filters": (5, "apidocs_filters: expected a path string or a list of path strings, got int 5"),
    "apidocs_headers": ({"Bad Name": "x"}, "apidocs_headers: 'Bad '... is not a valid HTTP header name"),
    "apidocs_timeout": (0, "apidocs_timeout: expected a number of seconds greater than 0, got int 0"),
    "apidocs_deadline": (-1, "apidocs_deadline: expected a number of seconds (0: 6 x apidocs_timeout), got int -1"),
    "apidocs_spec_root": ("https://x.example/", "apidocs_spec_root: expected a local folder, got a URL"),
    "apidocs_max_documents": (0, "apidocs_max_documents: expected a whole number greater than 0, got int 0"),
    "apidocs_max_spec_bytes": (True, "apidocs_max_spec_bytes: expected a whole number greater than 0, got bool True"),
    "apidocs_snapshot": ("https://x.example/s", "apidocs_snapshot: expected a local folder, got a URL"),
    "apidocs_resource_pages": (
        "../api",
        "apidocs_resource_pages: '../api' must be a plain folder inside the source directory, "
        "e.g. 'api' (no '..', no absolute path)",
    ),
    "apidocs_field_selection": ("yes", "apidocs_field_selection: expected True or False, got str 'yes'"),
    "apidocs_shared_models": ("everywhere", "apidocs_shared_models: expected 'page' or 'first', got str 'everywhere'"),
    "apidocs_audiences": (["public", "public"], "apidocs_audiences: 'public' listed twice"),
    "apidocs_default_audience": (3, "apidocs_default_audience: expected an audience name, got int 3"),
    "apidocs_audience": (" partner", "apidocs_audience: remove the leading or trailing whitespace"),
    "apidocs_changelog": ([{"version": "1"}], "apidocs_changelog[0]['spec']: expected a URL, path or git:REV:PATH string, got NoneType None"),
    "apidocs_changelog_current": (1, "apidocs_changelog_current: expected a string, got int 1"),
    "apidocs_versions": (
        {"v 1": {"spec": "x"}},
        "apidocs_versions: version name 'v 1' must be 1-40 letters, digits, '.', '_' or '-', starting with a letter or digit",
    ),
}


def _defaults(**values: Any) -> SimpleNamespace:
    return SimpleNamespace(**{**{name: meta.default for name, meta in SETTINGS.items()}, **values})


def test_every_setting_is_a_typed_field() -> None:
    for f in dataclasses.fields(ApidocsConfig):
        assert f.type not in ("Any", Any), f.name
        assert "apidocs" in f.metadata, f.name
    assert list(SETTINGS) == ["apidocs_" + f.name for f in dataclasses.fields(ApidocsConfig)]


def test_the_defaults_pass_and_give_the_dataclass_defaults() -> None:
    assert ApidocsConfig.problems(_defaults()) == []
    assert ApidocsConfig.from_config(_defaults()) == ApidocsConfig()


@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_bad_value_gives_its_one_line_error(name: str) -> None:
    assert name in BAD, f"add a wrong value and its message for the new setting {name} to BAD"
    value, message = BAD[name]
    assert ApidocsConfig.problems(_defaults(**{name: value})) == [message]
    with pytest.raises(ConfigUnusable) as caught:
        ApidocsConfig.from_config(_defaults(**{name: value}))
    assert caught.value.problems == [message] and caught.value.code == 2


def test_every_problem_is_reported_at_once() -> None:
    wrong = _defaults(**{name: value for name, (value, _) in BAD.items()})
    assert ApidocsConfig.problems(wrong) == [message for _, message in BAD.values()]


@pytest.mark.parametrize("name", list(SETTINGS))
def test_sphinx_build_stops_with_one_error_line(name: str, tmp_path: Path) -> None:
    value, message = BAD[name]
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(f'extensions = ["sphinx_apidocs"]\n{name} = {value!r}\n')
    (src / "index.rst").write_text("Title\n=====\n")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "--no-color", "-q", "-b", "text", str(src), str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()] == [f"ERROR: {message}"]


def test_the_config_is_read_once_per_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[object] = []
    original = ApidocsConfig.from_config  # bound to the class

    def counting(cls: type[ApidocsConfig], config: Any) -> ApidocsConfig:
        reads.append(config)
        return original(config)

    monkeypatch.setattr(ApidocsConfig, "from_config", classmethod(counting))
    src = copy_project("basic", tmp_path)
    result = build(src, tmp_path / "out", "text", overrides={"apidocs_resource_pages": "api"})
    assert result.statuscode == 0, result.warnings
    assert len(reads) == 1
    assert get_config(result.app) is get_config(result.app)
    assert get_config(result.app).resource_pages == "api"


class _App:
    """Just what ``read_config`` and ``get_config`` use of an application."""

    def __init__(self, config: SimpleNamespace) -> None:
        self.config = config


def test_secrets_stay_in_the_dataclass_not_in_the_pickled_config() -> None:
    url = "https://user:pw@api.example.com/api-docs?api_key=k3y"
    app = _App(_defaults(apidocs_spec=url, apidocs_headers={"X-Token": "t0k"}))
    config_module.read_config(app, app.config)  # type: ignore[arg-type]
    assert get_config(app).spec == url  # type: ignore[arg-type]
    assert dict(get_config(app).headers) == {"X-Token": "t0k"}  # type: ignore[arg-type]
    shown = repr(vars(app.config))  # what Sphinx would pickle
    assert "pw" not in shown and "k3y" not in shown and "t0k" not in shown


def test_extension_modules_read_the_dataclass_not_app_config() -> None:
    folder = Path(config_module.__file__).parent
    mine = ["state.py", "spec_loading.py", "filter_entries.py", "fingerprints.py", "report.py"]
    for name in mine:
        assert not re.search(r"config\.apidocs_", (folder / name).read_text()), name


def _documented_defaults() -> dict[str, str]:
    text = (DOCS / "configuration.rst").read_text()
    found: dict[str, str] = {}
    for match in re.finditer(r"^\.\. confval:: (\S+)\n((?:   :\w+:.*\n)*)", text, re.MULTILINE):
        default = re.search(r"^   :default: ``(.*)``$", match.group(2), re.MULTILINE)
        assert default, f"{match.group(1)} has no :default: in docs/configuration.rst"
        found[match.group(1)] = default.group(1)
    return found


def test_docs_list_every_setting_with_its_default() -> None:
    documented = _documented_defaults()
    assert sorted(documented) == sorted(SETTINGS)
    for name, meta in SETTINGS.items():
        assert ast.literal_eval(documented[name]) == meta.default, name
        assert type(ast.literal_eval(documented[name])) is type(meta.default), name


@pytest.mark.parametrize("nickname", ["list-contracts", "n" * 300 + "\u2028x"])
def test_a_nickname_in_two_filter_files_is_the_runtime_error_naming_both(nickname: str, tmp_path: Path) -> None:
    """The Sphinx side keeps the runtime's policy (``filters.load_filters``): an error naming
    both files, and neither whitelist shown (the service would not load them)."""
    from sphinx_apidocs.filters import FilterError, load_filter_trees

    src = copy_project("basic", tmp_path)
    first, second = tmp_path / "filters" / "contracts.yaml", tmp_path / "filters" / "zz-again.yaml"
    first.write_text(first.read_text() + f"{json.dumps(nickname)}: [id]\n" * (nickname != "list-contracts"))
    second.write_text(f"{json.dumps(nickname)}:\n  - contracts: [id]\n")
    with pytest.raises(FilterError) as runtime:
        load_filter_trees([str(first), str(second)])
    result = build(src, tmp_path / "out", "text", overrides={"apidocs_filters": [str(first), str(second)]})
    lines = result.warning_lines()
    assert [line for line in lines if "duplicate nickname" in line] == [f"{runtime.value} [apidocs.filter]".replace(": duplicate", ": WARNING: duplicate", 1)]
    assert not [line for line in lines if "'list-contracts'" in line and "no output filter" in line]
