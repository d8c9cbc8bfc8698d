"""OpenAPI 3.1 webhooks and 3.x callbacks: loaded as operations of their own kind and
documented with ``sphinx-build -W`` (html and text), served over a loopback HTTP server.

A webhook or callback is a request the API sends to the reader's endpoint: its signature
carries a kind badge (``WEBHOOK POST newPet``), its body says who sends it and shows the
payload instead of a request sample, a callback links to its operation and the operation
lists its callbacks; ``:api:op:`` and ``objects.inv`` find them; filters and rebuilds treat
them as any operation.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sphinx.util.inventory import InventoryFile

from httpserver import Route, scripted_server
from sphinx_apidocs.spec import load_spec
from sphinx_projects.buildtools import BuildResult, build

PET = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer", "format": "int64", "description": "The pet's id."},
        "name": {"type": "string", "description": "Its name."},
    },
}

HOOKS_31: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Hooks", "version": "1"},
    "servers": [{"url": "https://api.example.com/v1"}],
    "security": [{"token": []}],
    "paths": {
        "/subscriptions": {
            "post": {
                "operationId": "subscribe",
                "tags": ["subscriptions"],
                "summary": "Subscribe to events",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"callbackUrl": {"type": "string", "format": "uri"}},
                }}}},
                "responses": {"201": {"description": "Subscribed"}},
                "callbacks": {
                    "onEvent": {
                        "{$request.body#/callbackUrl}": {
                            "post": {
                                "summary": "An event happened",
                                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
                                "responses": {"2xx": {"description": "Event received"}},
                            },
                        },
                    },
                    "onCancel": {"$ref": "#/components/callbacks/Cancel"},
                },
            },
        },
    },
    "webhooks": {
        "newPet": {
            "post": {
                "operationId": "newPetHook",
                "summary": "A pet was added",
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet"},
                    "example": {"id": 7, "name": "Rex"},
                }}},
                "responses": {
                    "2xx": {"description": "Acknowledged", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ack"}}}},
                },
            },
        },
        "petGone": {"$ref": "#/components/pathItems/PetGone"},
    },
    "components": {
        "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Pet": PET,
            "Event": {"type": "object", "properties": {"kind": {"type": "string", "example": "created"}}},
            "Ack": {"type": "object", "properties": {
                "received": {"type": "boolean", "description": "Whether the pet was taken in."},
                "at": {"type": "string", "format": "date-time"},
            }},
        },
        "callbacks": {
            "Cancel": {
                "{$request.body#/callbackUrl}/cancel": {
                    "delete": {"operationId": "cancelled", "responses": {"204": {"description": "Gone"}}},
                },
            },
        },
        "pathItems": {
            "PetGone": {
                "post": {
                    "tags": ["pets"],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "responses": {"200": {"description": "OK"}},
                },
            },
        },
    },
}

#: 3.0: callbacks only (3.0 has no webhooks); the callback has no operationId and its
#: generated nickname would clash with an operationId given elsewhere.
CALLBACKS_30: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Streams", "version": "1"},
    "paths": {
        "/streams": {
            "post": {
                "operationId": "createStream",
                "parameters": [{"name": "callbackUrl", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"201": {"description": "Created"}},
                "callbacks": {
                    "onData": {
                        "{$request.query.callbackUrl}/data": {
                            "post": {
                                "requestBody": {"content": {"application/json": {"schema": {
                                    "type": "object", "properties": {"userData": {"type": "string", "example": "hello"}},
                                }}}},
                                "responses": {"2xx": {"description": "Data received"}},
                            },
                        },
                    },
                },
            },
        },
        "/other": {
            "get": {"operationId": "post-createStream-callbacks-onData", "responses": {"204": {"description": "Nothing"}}},
        },
    },
}


def _project(root: Path, url: str, *, filters: dict[str, Any] | None = None, index: str = "") -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    conf = f'project = "hooks"\nextensions = ["sphinx_apidocs"]\napidocs_spec = {url!r}\napidocs_resource_pages = "api"\n'
    if filters is not None:
        (root / "filters").mkdir()
        (root / "filters" / "hooks.json").write_text(json.dumps(filters))
        conf += 'apidocs_filters = "../filters"\n'
    (src / "conf.py").write_text(conf)
    (src / "index.rst").write_text("Hooks\n=====\n\n.. toctree::\n\n   api/index\n\n" + index)
    return src


def _build_both(root: Path, spec: dict[str, Any], **kwargs: Any) -> tuple[BuildResult, BuildResult]:
    with scripted_server({"/openapi.json": Route.json(spec)}) as server:
        src = _project(root, f"{server.base}/openapi.json", **kwargs)
        html = build(src, root / "html", "html", doctreedir=root / "doctrees", warningiserror=True)
        text = build(src, root / "text", "text", doctreedir=root / "doctrees", warningiserror=True)
    for result in (html, text):
        assert (result.statuscode, result.warning_lines()) == (0, []), result.warnings
    return html, text


def _flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


def _inventory(outdir: Path) -> Any:
    return InventoryFile.loads((outdir / "objects.inv").read_bytes(), uri="").data


@pytest.fixture(scope="module")
def hooks(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, BuildResult]:
    index = "See :api:op:`newPetHook`, :api:op:`cancelled` and :any:`subscribe`.\n"
    return _build_both(tmp_path_factory.mktemp("hooks"), HOOKS_31, filters={"newPetHook": ["received"]}, index=index)


@pytest.fixture(scope="module")
def streams(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, BuildResult]:
    return _build_both(tmp_path_factory.mktemp("streams"), CALLBACKS_30)


# -- the model ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with scripted_server({"/31.json": Route.json(HOOKS_31), "/30.json": Route.json(CALLBACKS_30)}) as server:
        yield server.base


def test_webhooks_and_callbacks_load_as_operations_of_their_kind(served: str) -> None:
    spec = load_spec(f"{served}/31.json")
    ops = {op.nickname: op for op in spec.operations}
    assert set(ops) == {"subscribe", "post-subscribe-callbacks-onEvent", "cancelled", "newPetHook", "post-webhooks-petGone"}
    hook = ops["newPetHook"]
    assert (hook.kind, hook.method, hook.path, hook.name, hook.parent) == ("webhook", "POST", "newPet", "newPet", "")
    assert hook.resource_path == "/webhooks"
    assert [m.code for m in hook.response_messages] == ["2XX"]  # written 2xx
    assert hook.response_type.ref == "Ack"
    assert hook.security == ()  # the API-wide default is for requests to the API
    assert ops["subscribe"].security != ()
    body = next(p for p in hook.parameters if p.location == "body")
    assert body.type.ref == "Pet" and body.examples[0].value == {"id": 7, "name": "Rex"}
    gone = ops["post-webhooks-petGone"]  # a $ref'd path item, tagged, without operationId
    assert (gone.kind, gone.path, gone.resource_path) == ("webhook", "petGone", "/pets")
    event = ops["post-subscribe-callbacks-onEvent"]
    assert (event.kind, event.path, event.name, event.parent) == ("callback", "{$request.body#/callbackUrl}", "onEvent", "subscribe")
    assert event.resource_path == "/subscriptions" and [m.code for m in event.response_messages] == ["2XX"]
    cancelled = ops["cancelled"]  # a $ref'd callback
    assert (cancelled.kind, cancelled.method, cancelled.path, cancelled.parent) == ("callback", "DELETE", "{$request.body#/callbackUrl}/cancel", "subscribe")
    # a callback follows its operation in its resource; webhooks come after the paths
    assert [op.nickname for op in spec.resource("/subscriptions").operations] == ["subscribe", "post-subscribe-callbacks-onEvent", "cancelled"]
    assert spec.warnings == ()
    assert any("pathItems/PetGone/post: webhook has no operationId; using 'post-webhooks-petGone'" in n for n in spec.notes)


def test_a_generated_callback_nickname_never_clashes(served: str) -> None:
    spec = load_spec(f"{served}/30.json")
    callback = next(op for op in spec.operations if op.kind == "callback")
    assert callback.nickname == "post-createStream-callbacks-onData-2"  # the plain one is an operationId
    assert (callback.parent, callback.path) == ("createStream", "{$request.query.callbackUrl}/data")
    assert spec.warnings == ()  # generated names are notes, not problems


# -- the pages ------------------------------------------------------------------------------


def test_a_webhook_shows_its_kind_body_responses_and_payload(hooks: tuple[BuildResult, BuildResult]) -> None:
    html, text = hooks
    page = (html.outdir / "api" / "webhooks.html").read_text(encoding="utf-8")
    assert '<span class="api-kind api-kind-webhook property"><span class="pre">WEBHOOK</span></span>' in page
    assert '<span class="api-method api-method-post property"><span class="pre">POST</span></span>' in page
    assert 'id="api-op-newPetHook"' in page
    flat = _flat(text.outdir / "api" / "webhooks.txt")
    assert "WEBHOOK POST newPet" in flat
    assert "**Sent by the API to your endpoint** (webhook newPet)." in flat.replace('"', "")
    assert "Authentication" not in flat  # the webhook declares none of its own
    assert "Payload example" in flat and '"name": "Rex"' in flat
    assert "Request sample" not in flat and "curl" not in flat
    assert "Your endpoint returns: Ack" in flat.replace('"', "")
    assert "2XX" in flat and "Acknowledged" in flat
    # the filter entry keyed by the webhook's nickname gives its output fields
    assert "Possible output fields" in flat and "Whether the pet was taken in." in flat


def test_callbacks_link_to_their_operation_and_back(hooks: tuple[BuildResult, BuildResult]) -> None:
    html, text = hooks
    flat = _flat(text.outdir / "api" / "subscriptions.txt").replace('"', "")
    assert "CALLBACK POST {$request.body#/callbackUrl}" in flat
    assert "CALLBACK DELETE {$request.body#/callbackUrl}/cancel" in flat
    assert "to the URL the runtime expression {$request.body#/callbackUrl} gives, after a request to subscribe." in flat
    assert "Callback of: subscribe" in flat
    assert "Callbacks" in flat and "post-subscribe-callbacks-onEvent" in flat
    page = (html.outdir / "api" / "subscriptions.html").read_text(encoding="utf-8")
    assert 'href="#api-op-subscribe"' in page  # the callback's link to its operation
    assert 'href="#api-op-cancelled"' in page  # the operation's list of callbacks
    assert 'class="api-kind api-kind-callback property"' in page
    # the operation itself keeps its request sample; a callback shows its payload
    assert "Request sample" in flat and "Payload example" in flat and "{ kind: created }" in flat


def test_roles_and_objects_inv_find_webhooks_and_callbacks(hooks: tuple[BuildResult, BuildResult]) -> None:
    html, _ = hooks
    index = (html.outdir / "index.html").read_text(encoding="utf-8")
    assert 'href="api/webhooks.html#api-op-newPetHook"' in index
    assert 'href="api/subscriptions.html#api-op-cancelled"' in index
    inventory = _inventory(html.outdir)["api:operation"]
    assert inventory["newPetHook"].uri == "api/webhooks.html#api-op-newPetHook"
    assert inventory["newPetHook"].display_name == "WEBHOOK POST newPet"
    assert inventory["cancelled"].display_name == "CALLBACK DELETE {$request.body#/callbackUrl}/cancel"
    assert inventory["post-webhooks-petGone"].uri == "api/pets.html#api-op-post-webhooks-petGone"
    overview = _flat(html.outdir.parent / "text" / "api" / "index.txt")
    assert "/webhooks" in overview


def test_a_30_spec_with_callbacks_builds(streams: tuple[BuildResult, BuildResult]) -> None:
    _, text = streams
    flat = _flat(text.outdir / "api" / "streams.txt").replace('"', "")
    assert "CALLBACK POST {$request.query.callbackUrl}/data" in flat
    assert "userData: hello" in flat
    assert "post-createStream-callbacks-onData-2" in flat


def test_a_webhook_without_filter_gets_a_coverage_warning(tmp_path: Path) -> None:
    with scripted_server({"/openapi.json": Route.json(HOOKS_31)}) as server:
        src = _project(tmp_path, f"{server.base}/openapi.json", filters={"cancelled": ["x"]})
        result = build(src, tmp_path / "html")
    lines = result.warning_lines()
    assert any("webhook 'newPetHook' (POST newPet) has no output filter" in line and "[apidocs.coverage]" in line for line in lines), lines


def test_hostile_webhook_names_and_expressions_stay_text(tmp_path: Path) -> None:
    spec = copy.deepcopy(HOOKS_31)
    name = '<script>alert("name")</script>\n\n.. raw:: html\n\n   <b>raw</b>'
    spec["webhooks"] = {name: spec["webhooks"]["newPet"]}
    spec["webhooks"][name]["post"].pop("operationId")
    callbacks = spec["paths"]["/subscriptions"]["post"]["callbacks"]
    callbacks["onEvent"] = {"{$request.body#/u}<img src=x onerror=alert(1)>": callbacks["onEvent"]["{$request.body#/callbackUrl}"]}
    html, text = _build_both(tmp_path, spec)
    pages = "".join(p.read_text(encoding="utf-8") for p in (html.outdir / "api").glob("*.html"))
    assert "<script>alert" not in pages and "<b>raw</b>" not in pages and "<img src=x" not in pages
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in pages and "onerror=alert(1)&gt;" in pages
    assert "<script>alert" in (text.outdir / "api" / "webhooks.txt").read_text(encoding="utf-8")
    inventory = _inventory(html.outdir)
    hook = inventory["api:operation"]["post-webhooks-script-alert-name-script-raw-html-b-raw-b"]
    assert hook.display_name == 'WEBHOOK POST <script>alert("name")</script> .. raw:: html <b>raw</b>'  # one line
    assert set(inventory) == {"api:operation", "api:resource", "api:model", "std:doc", "std:label"}


# -- rebuilds -------------------------------------------------------------------------------


def test_rebuilds_follow_webhooks_and_callbacks(tmp_path: Path) -> None:
    spec = copy.deepcopy(HOOKS_31)
    with scripted_server({"/openapi.json": Route(body=lambda: json.dumps(spec).encode())}) as server:
        src = _project(tmp_path, f"{server.base}/openapi.json")
        first = build(src, tmp_path / "html", warningiserror=True)
        assert first.statuscode == 0, first.warnings
        again = build(src, tmp_path / "html", warningiserror=True)
        assert again.read == []
        spec["webhooks"]["newPet"]["post"]["summary"] = "A pet was born"
        changed = build(src, tmp_path / "html", warningiserror=True)
        assert changed.read == ["api/webhooks"]
        assert "A pet was born" in (tmp_path / "html" / "api" / "webhooks.html").read_text(encoding="utf-8")
        # a callback's summary shows in its operation's list of callbacks too: same page
        callback = spec["paths"]["/subscriptions"]["post"]["callbacks"]["onEvent"]["{$request.body#/callbackUrl}"]["post"]
        callback["summary"] = "Something else happened"
        changed = build(src, tmp_path / "html", warningiserror=True)
        assert changed.read == ["api/subscriptions"]


def test_both_html_writers_write_the_same_webhook_pages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from test_content_parity import _differences, build_both

    with scripted_server({"/openapi.json": Route.json(HOOKS_31)}) as server:
        src = _project(tmp_path, f"{server.base}/openapi.json", filters={"newPetHook": ["received"]})
        assert _differences(*build_both(monkeypatch, src, tmp_path / "out")) == []


def test_a_callback_follows_its_renamed_operation() -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Dup", "version": "1"},
        "paths": {
            "/a": {"post": {"operationId": "same", "responses": {"204": {"description": "x"}}}},
            "/b": {"post": {
                "operationId": "same",
                "responses": {"204": {"description": "x"}},
                "callbacks": {"cb": {"{$request.body#/u}": {"post": {"responses": {"204": {"description": "x"}}}}}},
            }},
        },
    }
    with scripted_server({"/dup.json": Route.json(spec)}) as server:
        loaded = load_spec(f"{server.base}/dup.json")
    assert [(op.nickname, op.parent) for op in loaded.operations] == [("same", ""), ("same-2", ""), ("post-same-callbacks-cb", "same-2")]
