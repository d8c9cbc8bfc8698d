"""The middleware over real HTTP: the sample API's fake service, behind ``WSGIMiddleware``
(``wsgiref``) and ``ASGIMiddleware`` (uvicorn), exposes exactly what its docs say."""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import logging
from typing import Any, Iterator

import pytest

from sphinx_apidocs.filters import load_filters
from sphinx_apidocs.middleware import ASGIMiddleware, RouteTable, WSGIMiddleware
from sphinx_apidocs.spec.model import ApiSpec, Operation

from test_middleware_support import SAMPLE_FILTERS, SPEC, FakeService, Stage, request_path, stage

FILTERS = load_filters(SAMPLE_FILTERS)
AUDIENCES_SUPPORTED = "audience" in inspect.signature(load_filters).parameters
NARROWEST = load_filters(SAMPLE_FILTERS, audience="internal") if AUDIENCES_SUPPORTED else FILTERS


def op(nickname: str) -> Operation:
    found = SPEC.operation(nickname)
    assert found is not None
    return found


def path_of(nickname: str) -> str:
    return request_path(SPEC, op(nickname))


def expected(service: FakeService, nickname: str, filters: Any = FILTERS) -> Any:
    """What the client must see: the filter applied to the body as JSON carries it."""
    return filters[nickname](json.loads(json.dumps(service.bodies[nickname])))


@pytest.fixture(scope="module", params=["wsgi", "asgi"])
def served(request: pytest.FixtureRequest) -> Iterator[Stage]:
    with stage(request.param) as running:
        yield running


# --- every operation ------------------------------------------------------------------------


def test_every_sample_operation_exposes_exactly_its_whitelist(served: Stage) -> None:
    served.mount()
    service = served.service
    filtered = refused = hidden = 0
    for operation in SPEC.operations:
        reply = served.fetch(operation.method, path_of(operation.nickname))
        if operation.nickname in FILTERS:
            assert reply.status == 200, (operation.nickname, reply)
            assert (reply.header("Content-Type") or "").startswith("application/json")
            assert reply.json() == expected(service, operation.nickname), operation.nickname
            filtered += 1
        elif operation.nickname in NARROWEST:  # a narrower audience's operation: absent here
            assert (reply.status, reply.json()) == (404, {"error": "not_found"}), operation.nickname
            hidden += 1
        else:
            assert (reply.status, reply.json()) == (500, {"error": "unfiltered_operation"}), operation.nickname
            refused += 1
    assert filtered >= 20 and refused >= 4
    # the refused operations never reached the service
    called = {(method, path) for method, path, _ in service.calls}
    for operation in SPEC.operations:
        if operation.nickname not in FILTERS:
            assert (operation.method, path_of(operation.nickname)) not in called


def test_responses_are_narrower_than_the_model(served: Stage) -> None:
    """The check above is not vacuous: the service sends fields the whitelist drops."""
    served.mount()
    full = served.service.bodies["get-user"]
    reply = served.fetch("GET", path_of("get-user"))
    assert set(reply.json()) < set(full)
    assert served.fetch("GET", path_of("get-user"), {"X-Fake": "nothing"}).json() == reply.json()


def test_content_length_is_the_filtered_length(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", path_of("list-contracts"))
    assert reply.status == 200
    assert int(reply.header("Content-Length") or -1) == len(reply.body)
    assert len(reply.body) < len(json.dumps(served.service.bodies["list-contracts"]))


# --- fields= --------------------------------------------------------------------------------------


def test_fields_narrows_within_the_whitelist(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", path_of("get-user") + "?fields=uid,location.city")
    body = expected(served.service, "get-user")
    assert reply.status == 200
    assert reply.json() == {"uid": body["uid"], "location": {"city": body["location"]["city"]}}
    repeated = served.fetch("GET", path_of("get-user") + "?fields=uid&fields=location.city&other=1")
    assert repeated.json() == reply.json()
    encoded = served.fetch("GET", path_of("get-user") + "?%66ields=uid%2Cname")
    assert encoded.json() == {"uid": body["uid"], "name": body["name"]}
    empty = served.fetch("GET", path_of("get-user") + "?fields=")
    assert empty.json() == body


def test_invalid_fields_are_refused_without_calling_the_service(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", path_of("get-user") + "?fields=uid,password_hash")
    assert reply.status == 400
    body = reply.json()
    assert body["error"] == "invalid_fields"
    assert body["invalid"] == ["password_hash"]
    assert body["allowed"] == FILTERS.selector.allowed("get-user")
    assert served.service.calls == []


def test_fields_param_is_configurable(served: Stage) -> None:
    served.mount(fields_param="only")
    body = expected(served.service, "get-user")
    assert served.fetch("GET", path_of("get-user") + "?only=uid").json() == {"uid": body["uid"]}
    assert served.fetch("GET", path_of("get-user") + "?fields=uid").json() == body
    served.mount(fields_param=None)
    assert served.fetch("GET", path_of("get-user") + "?fields=nonsense").json() == body


# --- bodies ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream", "lazy", "write", "value", "bare"])
def test_every_way_of_sending_a_body_is_filtered(served: Stage, mode: str) -> None:
    served.mount()
    for nickname in ("get-thread", "list-user-portfolio"):
        reply = served.fetch("GET", path_of(nickname), {"X-Fake": mode})
        assert reply.status == 200
        assert reply.json() == expected(served.service, nickname), (mode, nickname)
    if served.kind == "wsgi" and mode in ("stream", "write"):
        assert served.service.closed == 2  # the application's iterable was closed


def test_non_json_bodies_pass_untouched(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", path_of("get-user"), {"X-Fake": "text"})
    assert reply.status == 200
    assert reply.body == json.dumps(served.service.bodies["get-user"]).encode()


def test_error_bodies_pass_untouched_unless_configured(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", path_of("get-user"), {"X-Fake-Status": "404"})
    assert (reply.status, reply.json()["secret"]) == (404, "s3cr3t")
    served.mount(filter_errors=True)
    reply = served.fetch("GET", path_of("get-user"), {"X-Fake-Status": "404"})
    assert (reply.status, reply.json()) == (404, {})


def test_json_types_are_configurable(served: Stage) -> None:
    served.mount(json_types=("application/json", "text/plain"))
    reply = served.fetch("GET", path_of("get-user"), {"X-Fake": "text"})
    assert reply.json() == expected(served.service, "get-user")


@pytest.mark.parametrize("mode", ["garbage", "gzip"])
def test_a_body_that_cannot_be_filtered_is_refused(served: Stage, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    served.mount()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="sphinx_apidocs.middleware"):
        reply = served.fetch("GET", path_of("get-user"), {"X-Fake": mode})
    assert (reply.status, reply.json()) == (502, {"error": "unparseable_response"})
    assert b"oops" not in reply.body
    lines = [r for r in caplog.records if r.name == "sphinx_apidocs.middleware"]
    assert len(lines) == 1 and lines[0].exc_info is None


def test_a_range_request_gets_the_whole_filtered_body(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", path_of("get-user"), {"Range": "bytes=0-20"})
    assert reply.json() == expected(served.service, "get-user")
    assert served.service.calls[-1][2] == {}  # the service never saw the Range header


# --- fail closed, unmatched -----------------------------------------------------------------------


def test_an_operation_without_a_filter_is_refused_with_one_log_line(served: Stage, caplog: pytest.LogCaptureFixture) -> None:
    served.mount()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sphinx_apidocs.middleware"):
        reply = served.fetch("DELETE", path_of("close-job"))
    assert (reply.status, reply.json()) == (500, {"error": "unfiltered_operation"})
    assert b"Traceback" not in reply.body
    lines = [r for r in caplog.records if r.name == "sphinx_apidocs.middleware"]
    assert len(lines) == 1
    assert lines[0].exc_info is None and "close-job" in lines[0].getMessage()
    assert served.service.calls == []


def test_allow_unfiltered_lets_an_operation_through(served: Stage) -> None:
    served.mount(allow_unfiltered=("close-job",))
    reply = served.fetch("DELETE", path_of("close-job"))
    assert (reply.status, reply.body) == (204, b"")


def test_unmatched_paths_pass_or_are_refused(served: Stage) -> None:
    served.mount()
    reply = served.fetch("GET", "/v2/not/documented")
    assert (reply.status, reply.body) == (404, b"no such path here")
    assert served.fetch("GET", "/v1/users").body == b"no such path here"
    served.mount(on_unmatched="refuse")
    reply = served.fetch("GET", "/v2/not/documented")
    assert (reply.status, reply.json()) == (404, {"error": "not_found"})
    assert served.service.calls == []


def test_path_variants_still_match(served: Stage) -> None:
    """A lenient match is the safe side: a variant the service serves is filtered too."""
    served.mount()
    reply = served.fetch("GET", path_of("get-user") + ".json")  # the fake takes "p5.json" as an id
    assert reply.json() == expected(served.service, "get-user")
    table = served.switch.app.routes
    for path in (path_of("get-user") + "/", path_of("get-user").replace("/users", "//users")):
        assert table.match("GET", path).nickname == "get-user"


# --- lifecycle headers ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class DatedOperation(Operation):
    """An operation with lifecycle dates (until the model has them)."""

    deprecated_at: Any = None
    sunset: Any = None


def dated_spec(spec: ApiSpec, dates: dict[str, tuple[Any, Any]]) -> ApiSpec:
    """``spec`` with ``deprecated_at``/``sunset`` on the operations named in ``dates``."""
    resources = []
    for resource in spec.resources:
        apis = []
        for api in resource.apis:
            ops = []
            for operation in api.operations:
                if operation.nickname in dates:
                    values = {f.name: getattr(operation, f.name) for f in dataclasses.fields(operation)}
                    values["deprecated_at"], values["sunset"] = dates[operation.nickname]
                    values["deprecated"] = True
                    operation = DatedOperation(**values)
                ops.append(operation)
            apis.append(dataclasses.replace(api, operations=tuple(ops)))
        resources.append(dataclasses.replace(resource, apis=tuple(apis)))
    return dataclasses.replace(spec, resources=tuple(resources))


def test_deprecation_and_sunset_headers(served: Stage) -> None:
    spec = dated_spec(SPEC, {"get-user": ("2026-05-01", "2026-11-01"), "list-users": (True, None)})
    served.mount(FakeService(spec))
    reply = served.fetch("GET", path_of("get-user"))
    assert reply.header("Deprecation") == "@1777593600"
    assert reply.header("Sunset") == "Sun, 01 Nov 2026 00:00:00 GMT"
    assert reply.json() == expected(served.service, "get-user")
    refused = served.fetch("GET", path_of("get-user") + "?fields=nope")
    assert refused.status == 400 and refused.header("Sunset") == "Sun, 01 Nov 2026 00:00:00 GMT"
    untouched = served.fetch("GET", path_of("get-user"), {"X-Fake": "text"})
    assert untouched.header("Deprecation") == "@1777593600"
    undated = served.fetch("GET", path_of("list-users"))
    assert undated.header("Deprecation") is None and undated.header("Sunset") is None


# --- in-process details ---------------------------------------------------------------------------


def call_wsgi(app: Any, method: str, path: str, query: str = "", **extra: Any) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"], seen["headers"] = status, headers
        return lambda data: None

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query, **extra}
    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return seen["status"], seen["headers"], body


def test_head_drops_the_unfiltered_length() -> None:
    service = FakeService()
    app = WSGIMiddleware(service.wsgi, spec=SPEC, filters=SAMPLE_FILTERS)
    status, headers, _ = call_wsgi(app, "HEAD", path_of("get-user"))
    assert status == "200 OK"
    assert "content-length" not in {k.lower() for k, _ in headers}


def test_asgi_head_drops_the_unfiltered_length() -> None:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    service = FakeService()
    middleware = ASGIMiddleware(service.asgi, spec=SPEC, filters=SAMPLE_FILTERS)
    scope = {"type": "http", "method": "HEAD", "path": path_of("get-user"), "query_string": b"", "headers": []}
    asyncio.run(middleware(scope, receive, send))
    assert sent[0]["status"] == 200
    assert b"content-length" not in {k for k, _ in sent[0]["headers"]}


def test_non_ascii_paths_and_fields() -> None:
    """WSGI strings are bytes as Latin-1: the UTF-8 path and query are read back."""
    user = {"uid": "u", "name": "n", "password": "p"}

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(user).encode()]

    table = RouteTable([("GET", "/v2/caf\u00e9/{uid}", "get-user")])
    middleware = WSGIMiddleware(app, routes=table, filters=SAMPLE_FILTERS)
    wsgi_path = "/v2/caf\u00e9/\u00e0".encode("utf-8").decode("latin-1")
    status, _, body = call_wsgi(middleware, "GET", wsgi_path)
    assert status == "200 OK" and json.loads(body) == {"uid": "u", "name": "n"}
    status, _, body = call_wsgi(middleware, "GET", wsgi_path, "fields=caf%C3%A9")
    assert status.startswith("400") and json.loads(body)["invalid"] == ["caf\u00e9"]
    raw_query = "fields=caf\u00e9".encode("utf-8").decode("latin-1")
    status, _, body = call_wsgi(middleware, "GET", wsgi_path, raw_query)
    assert json.loads(body)["invalid"] == ["caf\u00e9"]


def test_script_name_is_part_of_the_path() -> None:
    service = FakeService()
    app = WSGIMiddleware(lambda e, s: service.wsgi({**e, "PATH_INFO": e["SCRIPT_NAME"] + e["PATH_INFO"]}, s), spec=SPEC, filters=SAMPLE_FILTERS)
    status, _, body = call_wsgi(app, "GET", "/users/x", SCRIPT_NAME="/v2")
    assert status == "200 OK" and json.loads(body) == expected(service, "get-user")


def test_asgi_passes_other_scopes_and_honours_root_path() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": json.dumps({"uid": "u", "password": "x"}).encode()})

    middleware = ASGIMiddleware(app, spec=SPEC, filters=SAMPLE_FILTERS)
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def run() -> None:
        await middleware({"type": "lifespan"}, receive, send)
        await middleware({"type": "websocket", "path": "/v2/users/x"}, receive, send)
        await middleware({"type": "http", "method": "GET", "path": "/users/x", "root_path": "/v2", "query_string": b"", "headers": []}, receive, send)

    asyncio.run(run())
    assert seen == ["lifespan", "websocket", "http"]
    assert json.loads(sent[-1]["body"]) == {"uid": "u"}


def test_an_app_sending_after_a_refusal_sends_nothing_more() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.zerocopysend", "file": None})
        await send({"type": "http.response.body", "body": b'{"uid": "u", "password": "x"}'})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    middleware = ASGIMiddleware(app, spec=SPEC, filters=SAMPLE_FILTERS)
    asyncio.run(middleware({"type": "http", "method": "GET", "path": "/v2/users/x", "query_string": b"", "headers": []}, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 502 and b"password" not in sent[1]["body"]


def test_construction_errors() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        WSGIMiddleware(FakeService().wsgi, filters=SAMPLE_FILTERS)
    with pytest.raises(ValueError, match="on_unmatched"):
        WSGIMiddleware(FakeService().wsgi, spec=SPEC, filters=SAMPLE_FILTERS, on_unmatched="ignore")
    with pytest.raises(ValueError, match="filters"):
        WSGIMiddleware(FakeService().wsgi, spec=SPEC)
    with pytest.raises(ValueError, match="audience"):
        WSGIMiddleware(FakeService().wsgi, spec=SPEC, filters=dict(FILTERS), audience=lambda e: "x")


def test_spec_may_be_a_source_and_routes_a_table(tmp_path: Any) -> None:
    from test_middleware_support import SAMPLE_SPECS

    service = FakeService()
    for app in (
        WSGIMiddleware(service.wsgi, SAMPLE_SPECS, SAMPLE_FILTERS),
        WSGIMiddleware(service.wsgi, routes=RouteTable.from_spec(SPEC), filters=SAMPLE_FILTERS),
    ):
        status, _, body = call_wsgi(app, "GET", path_of("get-user"))
        assert json.loads(body) == expected(service, "get-user")


def test_a_plain_mapping_of_filters_has_no_field_selection() -> None:
    service = FakeService()
    app = WSGIMiddleware(service.wsgi, spec=SPEC, filters=dict(FILTERS))
    status, _, body = call_wsgi(app, "GET", path_of("get-user"), "fields=uid")
    assert status.startswith("400") and json.loads(body)["error"] == "fields_unsupported"
    status, _, body = call_wsgi(app, "GET", path_of("get-user"))
    assert json.loads(body) == expected(service, "get-user")


# --- audiences (last: they need load_filters(audience=, audiences=)) ------------------------------


needs_audiences = pytest.mark.skipif(not AUDIENCES_SUPPORTED, reason="load_filters has no audience=/audiences= yet")


def by_header(source: Any) -> str | None:
    """The audience a test client asks for: ``X-Audience`` (environ or scope)."""
    if "headers" in source:
        for key, value in source["headers"]:
            if key == b"x-audience":
                return value.decode("latin-1")
        return None
    return source.get("HTTP_X_AUDIENCE")


@needs_audiences
def test_each_audience_gets_its_own_whitelist(served: Stage) -> None:
    served.mount(audience=by_header, audiences=["public", "partner", "internal"])
    service = served.service
    partner = load_filters(SAMPLE_FILTERS, audience="partner")
    public = served.fetch("GET", path_of("get-user"))
    assert public.json() == expected(service, "get-user")
    assert "partner_margin_canary_p4412" not in public.json()
    wider = served.fetch("GET", path_of("get-user"), {"X-Audience": "partner"})
    assert wider.json() == expected(service, "get-user", partner)
    assert "partner_margin_canary_p4412" in wider.json()
    assert "internal_risk_canary_i7731" not in wider.json()
    # an operation of the partners: absent for the public, filtered for partners
    assert served.fetch("GET", path_of("partner-export-canary-p4412")).status == 404
    shown = served.fetch("GET", path_of("partner-export-canary-p4412"), {"X-Audience": "partner"})
    assert shown.json() == expected(service, "partner-export-canary-p4412", partner)
    # fields= within the audience's whitelist only
    narrowed = served.fetch("GET", path_of("get-user") + "?fields=partner_margin_canary_p4412")
    assert narrowed.status == 400 and narrowed.json()["invalid"] == ["partner_margin_canary_p4412"]
    allowed = served.fetch("GET", path_of("get-user") + "?fields=partner_margin_canary_p4412", {"X-Audience": "partner"})
    assert allowed.status == 200 and list(allowed.json()) == ["partner_margin_canary_p4412"]


@needs_audiences
def test_an_unknown_audience_is_refused(served: Stage, caplog: pytest.LogCaptureFixture) -> None:
    served.mount(audience=by_header)  # the order from output_filters/audiences.yaml
    with caplog.at_level(logging.ERROR, logger="sphinx_apidocs.middleware"):
        for _ in range(2):
            reply = served.fetch("GET", path_of("get-user"), {"X-Audience": "admin"})
            assert (reply.status, reply.json()) == (500, {"error": "unknown_audience"})
    assert served.service.calls == []
    assert all(r.exc_info is None for r in caplog.records)

    def broken(source: Any) -> str:
        raise RuntimeError("token=SECRET")

    served.mount(audience=broken)
    with caplog.at_level(logging.ERROR, logger="sphinx_apidocs.middleware"):
        reply = served.fetch("GET", path_of("get-user"))
    assert (reply.status, reply.json()) == (500, {"error": "unknown_audience"})
    assert "SECRET" not in caplog.text


@needs_audiences
def test_a_fixed_audience_by_name(served: Stage) -> None:
    served.mount(audience="internal")
    internal = load_filters(SAMPLE_FILTERS, audience="internal")
    reply = served.fetch("GET", path_of("internal-audit-canary-i7731"))
    assert reply.json() == expected(served.service, "internal-audit-canary-i7731", internal)


def test_the_middleware_loads_neither_sphinx_nor_docutils() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sphinx_apidocs.middleware; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
