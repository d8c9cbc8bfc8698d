"""Writes ``2026-09/``: the sample API as it was at its previous release, for the changelog
of the project's docs (``docs/conf.py`` ``apidocs_changelog``) and the ``diff`` examples.

It is derived from the current ``sample_specs/`` and ``output_filters/`` by undoing what the
release 2026-12 changed, so the two stay in step when the sample grows:

* ``list-payments`` did not exist yet (added);
* ``search-jobs`` accepted only ``job_type=hourly`` (``fixed`` added);
* ``list-threads`` returned 50 threads by default (now 20: a warning);
* ``get-job`` did not expose ``proposals_count`` (newly whitelisted);
* ``get-user`` had a shorter summary.

Run ``python sample_releases/make_2026_09.py`` after changing the sample; the test
``tests/test_sample_changelog.py`` checks that the files are up to date.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET = HERE / "2026-09"


def operation(declaration: dict, nickname: str) -> dict:
    return next(op for api in declaration["apis"] for op in api["operations"] if op["nickname"] == nickname)


def parameter(op: dict, name: str) -> dict:
    return next(p for p in op["parameters"] if p["name"] == name)


def older_specs() -> dict[str, str]:
    """File name -> JSON text of the older declarations (and the unchanged listing)."""
    files: dict[str, str] = {}
    for path in sorted((REPO / "sample_specs").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = path.name
        if name == "contracts.json":
            for api in data["apis"]:
                api["operations"] = [op for op in api["operations"] if op["nickname"] != "list-payments"]
            data["apis"] = [api for api in data["apis"] if api["operations"]]
        elif name == "jobs.json":
            parameter(operation(data, "search-jobs"), "job_type")["enum"] = ["hourly"]
        elif name == "messages.json":
            parameter(operation(data, "list-threads"), "count")["defaultValue"] = "50"
        elif name == "users.json":
            operation(data, "get-user")["summary"] = "Get a user"
        files[name] = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return files


def older_filters() -> dict[str, str]:
    """Relative path -> text of the older filter files (the audience folders too)."""
    files: dict[str, str] = {}
    root = REPO / "output_filters"
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if name == "jobs.yaml":
            text = text.replace("  - proposals_count\n", "", 1)
        elif name == "contracts.yaml":
            text = _without_entry(text, "list-payments")
        files[name] = text
    return files


def _without_entry(text: str, nickname: str) -> str:
    """The YAML text without the top-level entry ``nickname:`` (up to the next top-level key)."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith(f"{nickname}:"):
            skipping = True
            continue
        if skipping and line.strip() and not line.startswith((" ", "#", "-")):
            skipping = False
        if not skipping:
            out.append(line)
    return "".join(out)


def expected() -> dict[str, str]:
    """Relative path -> text of every file of ``2026-09/``."""
    return {
        **{f"sample_specs/{name}": text for name, text in older_specs().items()},
        **{f"output_filters/{name}": text for name, text in older_filters().items()},
    }


def main() -> int:
    shutil.rmtree(TARGET, ignore_errors=True)
    for relative, text in expected().items():
        path = TARGET / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
