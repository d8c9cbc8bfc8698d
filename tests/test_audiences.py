"""Audiences end to end: the sample API's partner and internal operations and fields carry
marker strings; a build of one audience holds no marker of a narrower one in any byte it
writes (HTML, search index, inventory, sources, doctrees, pickles, caches, generated pages),
plain or zlib-compressed; the docs' output fields are the runtime whitelist of the audience;
``diff --audience`` sees only what the audience sees."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from sphinx_apidocs.cli import main
from sphinx_apidocs.filters import dotted_paths, load_filter_trees, load_filters
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.audience import AudienceOrder, audience_view
from sphinx_projects.buildtools import REPO, SAMPLE_FILTERS, SAMPLE_SPECS, build, copy_project, every_byte

ORDER = ["public", "partner", "internal"]
MARKERS = {
    "partner": [b"CANARYPARTNER4412", b"p4412"],
    "internal": [b"CANARYINTERNAL7731", b"i7731"],
}


def narrower(audience: str) -> list[str]:
    return ORDER[ORDER.index(audience) + 1:]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One build per audience of the basic project (the sample API with its filter folder,
    whose audiences.yaml gives the order); each keeps its source, output and doctrees apart."""
    found = {}
    for audience in ORDER:
        root = tmp_path_factory.mktemp(audience)
        src = copy_project("basic", root)
        result = build(src, root / "out", doctreedir=root / "doctrees", overrides={"apidocs_audience": audience})
        assert result.statuscode == 0, result.warnings
        found[audience] = root
    return found


@pytest.mark.parametrize("audience", ORDER)
def test_nothing_of_a_narrower_audience_reaches_any_file(builds: dict[str, Path], audience: str) -> None:
    root = builds[audience]
    written = [*every_byte(root / "out"), *every_byte(root / "doctrees"), *every_byte(root / "src")]
    assert any(path.name == "searchindex.js" for path, _ in written) and any(path.name == "objects.inv" for path, _ in written)
    for other in narrower(audience):
        for marker in MARKERS[other]:
            leaks = sorted({str(path.relative_to(root)) for path, data in written if marker in data})
            assert not leaks, f"{marker!r} of {other} in the {audience} build: {leaks}"
    for own in ORDER[1:ORDER.index(audience) + 1]:  # and the audience's own items are there
        assert any(MARKERS[own][0] in data for path, data in written if path.suffix == ".html"), own


@pytest.mark.parametrize("audience", ORDER)
def test_the_docs_output_fields_are_the_runtime_whitelist(builds: dict[str, Path], audience: str) -> None:
    html = (builds[audience] / "out" / "api" / "users.html").read_text()
    trees = load_filter_trees(str(SAMPLE_FILTERS), audience=audience)
    runtime = load_filters(str(SAMPLE_FILTERS), audience=audience)
    spec = audience_view(load_spec(str(SAMPLE_SPECS)), audience, AudienceOrder(tuple(ORDER)))
    shown = {op.nickname for op in spec.operations if op.resource_path == "/users"}
    assert shown <= set(runtime)
    for nickname in sorted(shown):
        section = html.split(f'id="api-op-{nickname}"', 1)[1].split('<dl class="api ', 1)[0]
        table = section.split("Possible output fields", 1)[1]
        documented = re.findall(r'<tr[^>]*>\s*<td[^>]*><p><code[^>]*><span class="pre">([^<]+)</span>', table)
        assert documented == dotted_paths(trees[nickname].tree), nickname


def test_a_property_of_a_narrower_audience_is_in_no_table_or_example(builds: dict[str, Path]) -> None:
    public = (builds["public"] / "out" / "api" / "users.html").read_text()
    internal = (builds["internal"] / "out" / "api" / "users.html").read_text()
    assert "internal_risk_canary_i7731" in internal and "partner_margin_canary_p4412" in internal
    assert "internal_risk" not in public and "partner_margin" not in public
    models = (builds["partner"] / "out" / "api" / "models.html").read_text() + (builds["partner"] / "out" / "api" / "users.html").read_text()
    assert "partner_margin_canary_p4412" in models and "InternalAuditCanaryI7731" not in models


def test_runtime_fields_outside_the_audience_get_the_error_of_a_missing_path() -> None:
    public = load_filters(str(SAMPLE_FILTERS), audience="public")
    partner = load_filters(str(SAMPLE_FILTERS), audience="partner")
    partner.select("get-user", "partner_margin_canary_p4412")
    errors = []
    for name in ("partner_margin_canary_p4412", "no_such_field_at_all"):
        with pytest.raises(Exception) as caught:
            public.select("get-user", name)
        errors.append((type(caught.value), str(caught.value).replace(name, "NAME")))
    assert errors[0] == errors[1]


def test_diff_for_an_audience_sees_only_its_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Partner and internal changes never reach the public diff; moving an operation to a
    narrower audience is breaking for the wider one."""
    new_specs = tmp_path / "specs"
    shutil.copytree(SAMPLE_SPECS, new_specs)
    users = json.loads((new_specs / "users.json").read_text())
    for api in users["apis"]:
        for op in api["operations"]:
            if op["nickname"] == "internal-audit-canary-i7731":
                op["summary"] = "Audit a freelancer, changed (CANARYINTERNAL7731)"
            if op["nickname"] == "list-user-portfolio":
                op["audience"] = "partner"
    (new_specs / "users.json").write_text(json.dumps(users))
    argv = ["diff", str(SAMPLE_SPECS), str(new_specs), "--filters", str(SAMPLE_FILTERS), "--format", "json", "--fail-on", "never"]
    outputs = {}
    for audience in ORDER:
        assert main([*argv, "--audience", audience]) == 0
        outputs[audience] = json.loads(capsys.readouterr().out)["changes"]
    public = [(c["id"], c["operation"]) for c in outputs["public"]]
    assert public == [("operation-audience-narrowed", "list-user-portfolio")]
    assert "CANARYINTERNAL7731" not in json.dumps(outputs["public"]) + json.dumps(outputs["partner"])
    assert ("description-changed", "internal-audit-canary-i7731") in [(c["id"], c["operation"]) for c in outputs["internal"]]
    assert not any(c["id"] == "operation-audience-narrowed" for c in outputs["partner"])


def test_the_project_docs_build_per_audience_list_their_order() -> None:
    order = (SAMPLE_FILTERS / "audiences.yaml").read_text()
    assert re.findall(r"^- (\w+)$", order, re.MULTILINE) == ORDER
    assert (REPO / "docs" / "audiences.rst").is_file()


def test_a_filter_in_a_wider_folder_than_its_operation_warns_where_the_operation_is_seen(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    internal = tmp_path / "filters" / "internal" / "users.yaml"
    text = internal.read_text()
    start = text.index("internal-audit-canary-i7731:")
    internal.write_text(text[:start])
    (tmp_path / "filters" / "partner" / "audit.yaml").write_text(text[start:])  # the wrong folder
    for audience, expected in (("internal", 1), ("partner", 0), ("public", 0)):
        result = build(src, tmp_path / f"out-{audience}", doctreedir=tmp_path / f"dt-{audience}", overrides={"apidocs_audience": audience})
        lines = [line for line in result.warning_lines() if "[apidocs.audience]" in line]
        assert len(lines) == expected, (audience, result.warnings)
        if expected:
            assert "the filter of 'internal-audit-canary-i7731' is in the folder of 'partner'" in lines[0]
        assert "i7731" not in result.warnings or audience == "internal"


def test_an_unknown_audience_stops_the_build_with_one_line(tmp_path: Path) -> None:
    from sphinx_projects.buildtools import sphinx_build

    src = copy_project("basic", tmp_path)
    done = sphinx_build(["-b", "html", "-D", "apidocs_audience=nobody", str(src), str(tmp_path / "out")])
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "unknown audience 'nobody' (known: public, partner, internal)" in errors[0]
    assert "Traceback" not in done.stderr


def test_only_a_build_of_the_narrowest_audience_writes_the_snapshot(tmp_path: Path) -> None:
    """The snapshot keeps the fetched documents whole: a wider audience's build must not write
    them (they name every audience's items), yet may read them when the endpoint is down."""
    from sphinx_apidocs.spec.serve import serving

    specs = tmp_path / "specs"
    shutil.copytree(SAMPLE_SPECS, specs)
    src = copy_project("basic", tmp_path / "p", specs=None)
    snapshot = tmp_path / "snap"
    with serving(str(specs)) as url:
        overrides = {"apidocs_spec": url, "apidocs_snapshot": str(snapshot)}
        public = build(src, tmp_path / "out-public", doctreedir=tmp_path / "dt-public", overrides={**overrides, "apidocs_audience": "public"})
        assert public.statuscode == 0 and not snapshot.exists()
        internal = build(src, tmp_path / "out-internal", doctreedir=tmp_path / "dt-internal", overrides={**overrides, "apidocs_audience": "internal"})
        assert internal.statuscode == 0 and any(snapshot.iterdir())
