"""Every Swagger 1.x file of the shared corpus loads, or fails with one-line errors, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sphinx_apidocs.cli import main
from sphinx_apidocs.errors import ApidocsError, SpecError
from sphinx_apidocs.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT / "scripts"))

if not CORPUS.is_dir():
    pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS})", allow_module_level=True)

import compatibility_page  # noqa: E402

FILES = compatibility_page.corpus_files(CORPUS)
OPENAPI_FILES = compatibility_page.openapi_files(CORPUS)


def test_the_corpus_is_all_there():
    assert len(FILES) == 43


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_loads_or_fails_with_one_line_errors(path):
    try:
        spec = load_spec(str(path))
    except ApidocsError as exc:
        lines = exc.problems if isinstance(exc, SpecError) else [str(exc)]
        assert lines and all(line and "\n" not in line for line in lines)
        assert all(str(path.parent) in line for line in lines)
        return
    assert spec.resources
    for op in spec.operations:
        assert op.method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
        assert op.nickname
    nicknames = [op.nickname for op in spec.operations]
    assert len(nicknames) == len(set(nicknames))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_cli_validate_never_prints_a_traceback(path, capsys):
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert status in (0, 1)
    assert "Traceback" not in out + err
    if status == 0:
        assert out.startswith(f"{path}: valid Swagger 1.")


def test_compatibility_page_is_current():
    page = (ROOT / "docs" / "compatibility.rst").read_text(encoding="utf-8")
    assert page == compatibility_page.render(CORPUS), "run scripts/compatibility_page.py > docs/compatibility.rst"


def test_swapped_petstore_files_are_matched_by_resource_path():
    spec = load_spec(str(CORPUS / "swagger-1.2" / "swagger-parser-petstore" / "api-docs"))
    sources = {r.resource_path: Path(r.source).name for r in spec.resources}
    assert sources == {"/pet": "pet", "/user": "store", "/store": "user"}


def test_legacy_quirks_are_normalized():
    spec = load_spec(str(CORPUS / "swagger-1.x-legacy" / "wordnik-word" / "word.json"))
    related = spec.operation("getRelatedWords")
    assert related.method == "GET"  # from httpMethod
    assert related.response_type.display() == "array[related]"  # responseClass List[related]
    use_canonical = next(p for p in related.parameters if p.name == "useCanonical")
    assert use_canonical.enum == ("false", "true")  # allowableValues LIST
    limit = next(p for p in related.parameters if p.name == "limitPerRelationshipType")
    assert (limit.minimum, limit.maximum) == (1, None)  # RANGE with max "Infinity"
    assert limit.type.display() == "integer (int32)"  # dataType int
    assert related.response_messages[0].message == "Invalid word supplied."  # errorResponses.reason


def test_cli_in_a_subprocess_reports_bad_input_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"swaggerVersion": "1.2", "resourcePath": "/x", "apis": [{"path": "/x", "operations": [{"method": "GET"')
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_apidocs", "validate", str(bad)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {bad}: invalid JSON at line 1 column 104: Expecting ',' delimiter"
    assert "Traceback" not in result.stderr


def test_the_openapi_corpus_is_all_there():
    assert len(OPENAPI_FILES) == 22


@pytest.mark.parametrize("path", OPENAPI_FILES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_openapi_files_load_or_fail_with_one_line_errors(path, capsys):
    try:
        spec = load_spec(str(path))
    except ApidocsError as exc:
        lines = exc.problems if isinstance(exc, SpecError) else [str(exc)]
        assert lines and all(line and "\n" not in line for line in lines)
        assert all(str(path) in line for line in lines)
        return
    assert spec.swagger_version.startswith(("2.0", "3.0", "3.1"))
    operations = list(spec.operations)
    for op in operations:
        assert op.method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
        assert op.nickname and op.resource_path
        assert spec.resource(op.resource_path) is not None
    nicknames = [op.nickname for op in operations]
    assert len(nicknames) == len(set(nicknames))
    # Every model a type names exists (no dangling generated names), walking from operations.
    models = spec.models()
    for op in operations:
        for ref in (op.response_type, *(p.type for p in op.parameters)):
            name = ref.model_name()
            assert name is None or name in models, (op.nickname, name)
    for model in models.values():
        for prop in model.properties:
            name = prop.type.model_name()
            assert name is None or name in models, (model.id, prop.name, name)
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{path}: valid {spec.format_label}: ") and "Traceback" not in out + err


EXPECTED_OPERATIONS = {
    "openapi-3.0/stripe/spec3.json": 417,
    "openapi-3.0/stripe/spec3.yaml": 417,
    "openapi-3.1/discord/openapi.json": 242,
    "swagger-2.0/slack/slack_web_openapi_v2.json": 174,
    "openapi-3.0/oai-examples/petstore.yaml": 3,
    "openapi-3.1/oai-examples/webhook-example.yaml": 1,  # its one webhook
}


@pytest.mark.parametrize("name, count", EXPECTED_OPERATIONS.items())
def test_openapi_operation_counts_match_the_manifest(name, count):
    assert sum(1 for _ in load_spec(str(CORPUS / name)).operations) == count


def test_stripe_json_and_yaml_give_the_same_model():
    from_json = load_spec(str(CORPUS / "openapi-3.0" / "stripe" / "spec3.json"))
    from_yaml = load_spec(str(CORPUS / "openapi-3.0" / "stripe" / "spec3.yaml"))
    assert from_json.resources == tuple(
        r.__class__(**{**r.__dict__, "source": json_r.source, "digest": json_r.digest})
        for r, json_r in zip(from_yaml.resources, from_json.resources)
    )
