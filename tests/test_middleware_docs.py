"""The framework one-liners of ``docs/service.rst`` run as written, against the sample API, over
real HTTP (each where its framework is installed)."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import types
from typing import Any, Iterator

import pytest

from test_middleware import expected, path_of
from test_middleware_support import ROOT, FakeService, fetch, uvicorn_server, wsgi_server

DOC = os.path.join(ROOT, "docs", "service.rst")


def snippets() -> dict[str, str]:
    """``{caption: code}`` of the captioned Python code blocks of ``docs/service.rst``."""
    with open(DOC, encoding="utf-8") as handle:
        text = handle.read()
    found: dict[str, str] = {}
    pattern = re.compile(r"^\.\. code-block:: python\n   :caption: (?P<caption>.+)\n\n(?P<body>(?:   .*\n|\n)+)", re.M)
    for match in pattern.finditer(text):
        lines = match.group("body").rstrip("\n").split("\n")
        found[match.group("caption").strip()] = "\n".join(line[3:] for line in lines) + "\n"
    return found


SNIPPETS = snippets()


def snippet(prefix: str) -> str:
    matches = [code for caption, code in SNIPPETS.items() if caption.startswith(prefix)]
    assert len(matches) == 1, f"docs/service.rst: one code block captioned {prefix!r}, found {sorted(SNIPPETS)}"
    return matches[0]


def needs(module: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(importlib.util.find_spec(module) is None, reason=f"{module} is not installed")


@pytest.fixture
def in_repo() -> Iterator[None]:
    """The snippets name ``sample_specs`` and ``output_filters`` relative to the project."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def run(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "service_snippet"}
    exec(compile(code, DOC, "exec"), namespace)  # noqa: S102 - the docs' own code
    return namespace


def check(base: str, service: FakeService) -> None:
    for nickname in ("get-user", "list-contracts", "list-user-portfolio"):
        reply = fetch(base, "GET", path_of(nickname))
        assert reply.status == 200, (nickname, reply.status, reply.body[:200])
        assert reply.json() == expected(service, nickname), nickname
    reply = fetch(base, "GET", path_of("get-user") + "?fields=uid,secret")
    assert (reply.status, reply.json()["invalid"]) == (400, ["secret"])
    assert fetch(base, "DELETE", path_of("close-job")).json() == {"error": "unfiltered_operation"}


def test_the_snippets_are_there() -> None:
    for prefix in ("Flask", "Django", "FastAPI"):
        assert "Middleware" in snippet(prefix)


@needs("flask")
def test_flask(in_repo: None) -> None:
    namespace = run(snippet("Flask"))
    app = namespace["app"]
    service = FakeService()

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def everything(path: str) -> Any:
        from flask import jsonify, request

        found = service.find(request.method, "/" + path)
        if found is None:
            return "no such path here", 404
        return jsonify(service.bodies[found.nickname])

    with wsgi_server(app) as base:
        check(base, service)


@needs("django")
def test_django(in_repo: None) -> None:
    import django
    from django.conf import settings

    service = FakeService()
    urls = types.ModuleType("middleware_docs_urls")

    def view(request: Any, path: str) -> Any:
        from django.http import HttpResponseNotFound, JsonResponse

        found = service.find(request.method, "/" + path)
        if found is None:
            return HttpResponseNotFound("no such path here")
        return JsonResponse(service.bodies[found.nickname], safe=False)

    from django.urls import re_path

    urls.urlpatterns = [re_path(r"^(?P<path>.*)$", view)]  # type: ignore[attr-defined]
    sys.modules[urls.__name__] = urls
    if not settings.configured:
        settings.configure(
            DEBUG=False, SECRET_KEY="only-for-a-test", ALLOWED_HOSTS=["*"], ROOT_URLCONF=urls.__name__,
            MIDDLEWARE=[], INSTALLED_APPS=[], USE_TZ=True,
        )
        django.setup()
    namespace = run(snippet("Django"))
    with wsgi_server(namespace["application"]) as base:
        check(base, service)


@needs("fastapi")
def test_fastapi(in_repo: None) -> None:
    namespace = run(snippet("FastAPI"))
    app = namespace["app"]
    service = FakeService()
    from fastapi import Request
    from fastapi.responses import JSONResponse, PlainTextResponse

    async def everything(path, request):  # type: ignore[no-untyped-def]
        found = service.find(request.method, "/" + path)
        if found is None:
            return PlainTextResponse("no such path here", status_code=404)
        return JSONResponse(service.bodies[found.nickname])

    # real annotations (this module's are strings, which FastAPI resolves in the module's globals)
    everything.__annotations__ = {"path": str, "request": Request}
    app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])(everything)

    with uvicorn_server(app, interface="auto") as base:
        check(base, service)


@needs("starlette")
def test_starlette_with_the_same_line(in_repo: None) -> None:
    """The FastAPI snippet's middleware line, as a Starlette application writes it."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    service = FakeService()

    async def everything(request: Request) -> Any:
        found = service.find(request.method, request.url.path)
        if found is None:
            return PlainTextResponse("no such path here", status_code=404)
        return JSONResponse(service.bodies[found.nickname])

    app = Starlette(routes=[Route("/{path:path}", everything, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])
    code = "\n".join(line for line in snippet("FastAPI").splitlines() if "FastAPI" not in line)
    exec(compile(code, DOC, "exec"), {"app": app})  # noqa: S102 - the docs' own code
    with uvicorn_server(app, interface="auto") as base:
        check(base, service)
