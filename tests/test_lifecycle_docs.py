"""Deprecation and sunset dates from the spec (1.x ``deprecatedAt``/``sunset``, OpenAPI
``x-deprecated-at``/``x-sunset``) reach the model and the operation pages' badges."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sphinx_apidocs.spec import load_spec
from sphinx_projects.buildtools import build, copy_project


def test_swagger1_dates_reach_the_operation_page(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    users = tmp_path / "specs" / "users.json"
    data = json.loads(users.read_text())
    for api in data["apis"]:
        for op in api["operations"]:
            if op["nickname"] == "list-user-portfolio":
                op.update(deprecated="true", deprecatedAt="2026-10-01", sunset="2027-04-01")
    data["models"]["User"]["properties"]["rating"].update(deprecated=True, sunset="2027-01-31")
    users.write_text(json.dumps(data))
    spec = load_spec(str(tmp_path / "specs"))
    op = next(o for o in spec.operations if o.nickname == "list-user-portfolio")
    assert (op.deprecated, op.deprecated_at, op.sunset) == (True, "2026-10-01", "2027-04-01")
    result = build(src, tmp_path / "out", warningiserror=True)
    assert result.statuscode == 0, result.warnings
    page = (tmp_path / "out" / "api" / "users.html").read_text()
    assert '<p class="api-deprecated"><strong>Deprecated</strong> since <code class="docutils literal notranslate"><span class="pre">2026-10-01</span></code>. <strong>Sunset:</strong> <code class="docutils literal notranslate"><span class="pre">2027-04-01</span></code>.</p>' in page
    assert "<strong>Sunset:</strong> <code class=\"docutils literal notranslate\"><span class=\"pre\">2027-01-31</span></code>" in page
    # The "Possible output fields" a client reads say it too, on the field's row.
    import re

    outputs = re.findall(r'<table class="[^"]*api-output-fields[^"]*">(.*?)</table>', page, re.S)
    rows = [row for table in outputs for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S) if "rating</span></code>" in row]
    assert rows and all("<strong>Sunset:</strong>" in row and "2027-01-31" in row for row in rows), rows


def test_openapi_dates_and_bad_dates(tmp_path: Path) -> None:
    spec_file = tmp_path / "api.yaml"
    spec_file.write_text(yaml.safe_dump({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {
            "operationId": "get-a", "deprecated": True, "x-deprecated-at": "2026-10-01", "x-sunset": "2027-04-01T00:00:00Z",
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "old": {"type": "string", "deprecated": True, "x-sunset": "2027-01-31"},
                    "bad": {"type": "string", "x-sunset": "next spring"},
                }}}}}},
        }}},
    }))
    spec = load_spec(str(spec_file))
    op = next(iter(spec.operations))
    assert (op.deprecated_at, op.sunset) == ("2026-10-01", "2027-04-01T00:00:00Z")
    props = {p.name: p for r in spec.resources for m in r.models.values() for p in m.properties}
    if not props:  # an inline response schema: find it through the operation's type
        props = {p.name: p for m in spec.models().values() for p in m.properties}
    assert props["old"].sunset == "2027-01-31" and props["bad"].sunset == ""
