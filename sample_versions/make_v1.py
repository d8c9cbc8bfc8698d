"""Writes ``v1/``: version 1 of the sample API (``https://api.example.com/v1``), for the
two-version docs (``apidocs_versions``) and the ``diff`` examples; the current ``sample_specs/``
and ``output_filters/`` are version 2.

It is derived from the current sample by undoing what version 2 changed, so the two stay in
step when the sample grows:

* every declaration's ``basePath`` is ``https://api.example.com/v1`` (path versioning), the
  ``apiVersion`` is ``1.9`` and the OAuth token endpoint is under ``/v1``;
* ``get-user-legacy-rating`` (``GET /users/{uid}/legacy-rating``) still exists, deprecated
  since 2026-06-01 with its sunset on 2026-11-30 (version 2 removed it: planned);
* ``list-user-portfolio`` does not exist yet (new in version 2);
* the ``User`` model has ``legacy_rating``, deprecated since 2026-06-01 with its sunset on
  2026-11-30, whitelisted for ``get-user`` and (through the YAML anchor) ``list-users``;
  version 2 has no such property (a planned removal);
* ``list-users`` does not expose ``paging.total`` (version 2's whitelist adds it).

Audience marks, canaries and the ``partner/`` and ``internal/`` filter layers are copied as
they are. The output is deterministic: JSON with ``indent=2``, files written byte for byte, so
a re-run changes nothing.

Run ``python sample_versions/make_v1.py`` after changing the sample (``--out DIR`` writes
elsewhere); the test ``tests/test_sample_versions.py`` checks that the files are up to date.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TARGET = HERE / "v1"

V2_BASE = "https://api.example.com/v2"
V1_BASE = "https://api.example.com/v1"
V1_API_VERSION = "1.9"
DEPRECATED_AT = "2026-06-01"
SUNSET = "2026-11-30"

#: The operation version 2 removed (after its sunset date), as version 1 declares it.
LEGACY_PATH = "/users/{uid}/legacy-rating"
LEGACY_NICKNAME = "get-user-legacy-rating"
#: The operation new in version 2 (not in version 1).
NEW_IN_V2 = "list-user-portfolio"

LEGACY_MODEL: dict[str, Any] = {
    "id": "LegacyRating",
    "description": "A freelancer's rating on the retired 0-10 scale.",
    "required": ["uid", "legacy_rating"],
    "properties": {
        "uid": {"type": "string", "description": "Public user id."},
        "legacy_rating": {
            "type": "number",
            "format": "float",
            "description": "Average client rating on the retired 0-10 scale.",
            "minimum": "0",
            "maximum": "10",
        },
        "reviews_count": {
            "type": "integer",
            "format": "int32",
            "description": "Number of reviews the rating was computed from.",
            "minimum": "0",
        },
    },
}

LEGACY_PROPERTY: dict[str, Any] = {
    "type": "number",
    "format": "float",
    "description": "Average client rating on the retired 0-10 scale; use `rating` (0-5).",
    "minimum": "0",
    "maximum": "10",
    "deprecated": "true",
    "deprecatedAt": DEPRECATED_AT,
    "sunset": SUNSET,
}

LEGACY_FILTER = """
get-user-legacy-rating:         # deprecated since 2026-06-01, gone on 2026-11-30 (removed in v2)
  - uid
  - legacy_rating
  - reviews_count
"""


def operation(declaration: dict[str, Any], nickname: str) -> dict[str, Any]:
    return next(op for api in declaration["apis"] for op in api["operations"] if op["nickname"] == nickname)


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _legacy_operation(users: dict[str, Any]) -> dict[str, Any]:
    """``get-user-legacy-rating``: ``get-user``'s path parameter and errors, a small model."""
    get_user = operation(users, "get-user")
    return {
        "method": "GET",
        "nickname": LEGACY_NICKNAME,
        "summary": "Get a freelancer's legacy rating",
        "notes": "The rating on the retired 0-10 scale. Deprecated: read `rating` (0-5) of the profile instead.",
        "scope": get_user["scope"],
        "type": LEGACY_MODEL["id"],
        "deprecated": "true",
        "deprecatedAt": DEPRECATED_AT,
        "sunset": SUNSET,
        "parameters": [copy.deepcopy(p) for p in get_user["parameters"] if p["paramType"] == "path"],
        "responseMessages": copy.deepcopy(get_user["responseMessages"]),
    }


def _older_users(data: dict[str, Any]) -> None:
    apis = []
    for api in data["apis"]:
        api["operations"] = [op for op in api["operations"] if op["nickname"] != NEW_IN_V2]
        if api["operations"]:
            apis.append(api)
        if api["path"] == "/users/{uid}":
            apis.append({"path": LEGACY_PATH, "operations": [_legacy_operation(data)]})
    data["apis"] = apis
    models: dict[str, Any] = {}
    for name, model in data["models"].items():
        models[name] = model
        if name == "User":  # ``legacy_rating`` right after ``rating``
            properties = {}
            for key, prop in model["properties"].items():
                properties[key] = prop
                if key == "rating":
                    properties["legacy_rating"] = copy.deepcopy(LEGACY_PROPERTY)
            if "legacy_rating" not in properties:
                raise SystemExit("make_v1: the User model has no `rating` any more: update the script")
            model["properties"] = properties
        if name == "UserList":
            models[LEGACY_MODEL["id"]] = copy.deepcopy(LEGACY_MODEL)
    data["models"] = models


def v1_specs() -> dict[str, str]:
    """File name -> JSON text of version 1's listing and declarations."""
    files: dict[str, str] = {}
    for path in sorted((REPO / "sample_specs").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["apiVersion"] = V1_API_VERSION
        if "basePath" in data:
            data["basePath"] = V1_BASE
        if path.name == "api-docs.json":
            token = data["authorizations"]["oauth2"]["grantTypes"]["authorization_code"]["tokenEndpoint"]
            token["url"] = token["url"].replace(V2_BASE, V1_BASE, 1)
        elif path.name == "users.json":
            _older_users(data)
        files[path.name] = _dump(data)
    return files


def _replace_once(text: str, old: str, new: str, name: str) -> str:
    if text.count(old) != 1:
        raise SystemExit(f"make_v1: {name} no longer has exactly one {old!r}: update the script")
    return text.replace(old, new, 1)


def v1_filters() -> dict[str, str]:
    """Relative path -> text of version 1's filter files (the audience folders too)."""
    files: dict[str, str] = {}
    root = REPO / "output_filters"
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root).as_posix()
        if name == "users.yaml":
            text = _replace_once(text, "  - jobs_completed\n", "  - jobs_completed\n  - legacy_rating             # deprecated: sunset 2026-11-30\n", name)
            text = _replace_once(text, "  - paging: [offset, count, total]\n", "  - paging: [offset, count]\n", name)
            text = _without_entry(text, NEW_IN_V2).rstrip("\n") + "\n" + LEGACY_FILTER
        files[name] = text
    return files


def _without_entry(text: str, nickname: str) -> str:
    """The YAML text without the top-level entry ``nickname:`` (up to the next top-level key)."""
    out: list[str] = []
    skipping = False
    found = False
    for line in text.splitlines(keepends=True):
        if line.startswith(f"{nickname}:"):
            skipping = found = True
            continue
        if skipping and line.strip() and not line.startswith((" ", "#", "-")):
            skipping = False
        if not skipping:
            out.append(line)
    if not found:
        raise SystemExit(f"make_v1: no filter entry {nickname!r}: update the script")
    return "".join(out)


def expected() -> dict[str, str]:
    """Relative path -> text of every file of ``v1/``."""
    return {
        **{f"sample_specs/{name}": text for name, text in v1_specs().items()},
        **{f"output_filters/{name}": text for name, text in v1_filters().items()},
    }


def write(target: Path) -> None:
    """(Re)writes ``target`` with exactly the files of :func:`expected` (UTF-8, ``\\n``)."""
    shutil.rmtree(target, ignore_errors=True)
    for relative, text in sorted(expected().items()):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=TARGET, help=f"folder to write (default {TARGET.relative_to(REPO)})")
    args = parser.parse_args(argv)
    write(args.out)
    shown = args.out.resolve()
    print(f"wrote {shown.relative_to(REPO) if shown.is_relative_to(REPO) else shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
