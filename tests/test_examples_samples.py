"""Request samples (``curl`` and Python ``requests``): exact, runnable, and safe with
hostile specs — nothing from a spec can leave its shell word or its Python literal."""

from __future__ import annotations

import ast
import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import types
import urllib.parse
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from sphinx_apidocs.examples import (
    NO_EXAMPLE,
    Env,
    ExampleBuilder,
    curl_argv,
    curl_sample,
    curl_text,
    python_sample,
    python_text,
    request_example,
    request_sample,
)
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.model import (
    ApiPath,
    ApiSpec,
    Constraints,
    Example,
    Model,
    Operation,
    Parameter,
    Property,
    Resource,
    SecurityRequirement,
    SecurityScheme,
    TypeRef,
)

ROOT = Path(__file__).resolve().parent.parent
ENV = {"TOKEN": "tok'en $(x)", "API_KEY": "key123", "API_KEY_2": "k2", "USERNAME": "ada", "PASSWORD": "p w",
       "BASE_URL": "http://base.invalid", "CLIENT_CERT": "c.pem", "CLIENT_KEY": "k.pem"}

HOSTILE = ["'", '"', "$(touch pwned)", "`touch pwned`", "a\nb", "a;touch pwned", "a\x00b", "x\u2028y", "\u0085",
           "${HOME}", "\\", "!!", "-X", "--data @/etc/passwd", "a b", "%41", "&x=1", "#frag", "?q", "é", "'\"'\"'"]


def expand(word: str, env: dict[str, str]) -> str:
    for name, value in sorted(env.items(), key=lambda item: -len(item[0])):
        word = word.replace("$" + name, value)
    return word


def run_fake_curl(script: str, cwd: Path) -> list[str]:
    """The argv ``bash`` gives ``curl`` for ``script`` (a fake ``curl`` prints it)."""
    fake = "curl() { printf '%s\\0' \"$@\"; }\n"
    result = subprocess.run(["bash", "-c", fake + script], capture_output=True, cwd=cwd,
                            env={"PATH": os.environ.get("PATH", ""), **ENV}, timeout=30)
    assert result.returncode == 0, result.stderr
    return ["curl", *result.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]]


# -- Python samples: only an import, assignments and one requests call --------------------

ALLOWED_NAMES = {"os", "requests", "response"}


def check_python(source: str) -> ast.Call:
    tree = ast.parse(source)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert len(calls) == 1
    call = calls[0]
    assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
    assert call.func.value.id == "requests"
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            assert {alias.name for alias in statement.names} <= {"os", "requests"}
        else:
            assert isinstance(statement, ast.Assign) and statement.value is call
            assert [t.id for t in statement.targets if isinstance(t, ast.Name)] == ["response"]
    for node in ast.walk(tree):
        assert isinstance(node, (ast.Module, ast.Import, ast.alias, ast.Assign, ast.Call, ast.Attribute, ast.Name,
                                 ast.Load, ast.Store, ast.keyword, ast.Constant, ast.Dict, ast.List, ast.Tuple,
                                 ast.BinOp, ast.Add, ast.Subscript, ast.UnaryOp, ast.USub)), ast.dump(node)
        if isinstance(node, ast.Name):
            assert node.id in ALLOWED_NAMES
        if isinstance(node, ast.Attribute):
            assert (isinstance(node.value, ast.Name) and (node.value.id, node.attr) == ("os", "environ")) or (
                node.value is call.func.value)
        if isinstance(node, ast.Subscript):
            assert isinstance(node.value, ast.Attribute) and node.value.attr == "environ"
            assert isinstance(node.slice, ast.Constant) and node.slice.value in ENV
        if isinstance(node, ast.BinOp):  # only text joined with a placeholder
            assert isinstance(node.op, ast.Add)
    return call


def run_python(source: str) -> dict[str, Any]:
    """Run a checked sample with a fake ``requests``; what it was called with."""
    check_python(source)
    seen: dict[str, Any] = {}
    fake = types.ModuleType("requests")

    def call(method: str) -> Any:
        def send(*args: Any, **kwargs: Any) -> None:
            seen.update(method=method, args=args, **kwargs)
        return send

    for method in ("get", "post", "put", "patch", "delete", "head", "options"):
        setattr(fake, method, call(method))
    fake.request = lambda method, *args, **kwargs: seen.update(method=method, args=args, **kwargs)  # type: ignore[attr-defined]
    fake_os = types.SimpleNamespace(environ=dict(ENV))
    saved = sys.modules.get("requests"), sys.modules.get("os")
    sys.modules["requests"], sys.modules["os"] = fake, fake_os  # type: ignore[assignment]
    try:
        exec(compile(source, "<sample>", "exec"), {"__builtins__": {"__import__": __import__}})
    finally:
        for name, module in zip(("requests", "os"), saved):
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return seen


# -- the sample API ----------------------------------------------------------------------


def test_sample_api_samples(tmp_path: Path) -> None:
    spec = load_spec(str(ROOT / "sample_specs"))
    builder = ExampleBuilder(spec)
    with_body = 0
    for op in spec.operations:
        sample = request_sample(spec, op, builder)
        single = curl_text(sample, multiline=False)
        assert shlex.split(single) == curl_argv(sample)
        argv = curl_argv(sample)
        assert argv[0] == "curl" and "{" not in argv[argv.index(next(a for a in argv if a.startswith("https://")))]
        assert curl_sample(spec, op) == curl_text(sample)
        assert python_sample(spec, op) == python_text(sample)
        seen = run_python(python_text(sample))
        assert seen["method"] == op.method.lower()
        if sample.body is not NO_EXAMPLE:
            with_body += 1
            assert seen["json"] == sample.body == request_example(spec, op)
            assert json.loads(argv[argv.index("--data-raw") + 1]) == sample.body
    assert with_body >= 5
    contract = request_sample(spec, spec.operation("get-time-report"), builder)
    assert [name for name, _ in contract.query] == ["from", "to"]  # the required ones
    assert curl_argv(contract)[1].startswith("https://api.example.com/v2/reports/time?from=2024-01-15&to=2024-01-15")


# -- hostile specs -----------------------------------------------------------------------


def hostile_spec(value: str, *, base_url: str = "https://api.example.com/v1") -> tuple[ApiSpec, Operation]:
    thing = Model("Thing", (Property(value, TypeRef(type="string"), example=value),
                            Property("n", TypeRef(type="string"), example=value)))
    params = (
        Parameter("id", "path", TypeRef(type="string"), required=True, examples=(Example(value),)),
        Parameter(value, "path", TypeRef(type="string"), required=True, examples=(Example(value),)),
        Parameter(value, "query", TypeRef(type="string"), required=True, examples=(Example(value),)),
        Parameter("list", "query", TypeRef(type="array", items=TypeRef(type="string")), required=True,
                  examples=(Example([value, "b"]),)),
        Parameter("X-Trace", "header", TypeRef(type="string"), required=True, examples=(Example(value),)),
        Parameter(value, "header", TypeRef(type="string"), required=True, examples=(Example(value),)),
        Parameter("session", "cookie", TypeRef(type="string"), required=True, examples=(Example(value),)),
        Parameter("body", "body", TypeRef(ref="Thing"), required=True),
    )
    op = Operation("POST", "/things/{id}/" + value + "/{" + value + "}", "hostile", parameters=params,
                   resource_path="/things", consumes=("application/json",),
                   security=(SecurityRequirement((("bearer", ()), ("key", ()), ("qkey", ()))),))
    schemes = {"bearer": SecurityScheme("bearer", "http", scheme="bearer"),
               "key": SecurityScheme("key", "apiKey", location="header", param_name="X-Key"),
               "qkey": SecurityScheme("qkey", "apiKey", location="query", param_name=value)}
    resource = Resource("/things", apis=(ApiPath("/things", operations=(op,)),), models={"Thing": thing})
    return ApiSpec("3.0.0", resources=(resource,), security_schemes=schemes, base_url=base_url), op


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_values_stay_data_in_curl(value: str, tmp_path: Path) -> None:
    spec, op = hostile_spec(value)
    sample = request_sample(spec, op)
    argv = curl_argv(sample)
    assert all("\x00" not in word for word in argv)
    assert shlex.split(curl_text(sample, multiline=False)) == argv
    for multiline in (False, True):
        assert run_fake_curl(curl_text(sample, multiline=multiline), tmp_path) == [expand(w, ENV) for w in argv]
    assert not (tmp_path / "pwned").exists()
    # the intended request, written down independently
    quoted = urllib.parse.quote(value, safe="")
    url = argv[3]
    assert argv[:3] == ["curl", "-X", "POST"]
    path, _, query = url.partition("?")
    assert path.startswith("https://api.example.com/v1/things/" + quoted + "/")
    if not set(value) & set("{}/"):  # (braces make the path template ambiguous; "/" splits it)
        assert path.endswith("/" + quoted)
        assert urllib.parse.unquote(path.rsplit("/", 2)[1]) == value  # a literal part: encoded, never raw
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    assert pairs == [(value, "$API_KEY_2"), (value, value), ("list", value), ("list", "b")]
    headers = [argv[i + 1] for i, word in enumerate(argv) if word == "-H"]
    clean = "".join(c for c in value if c == "\t" or (ord(c) >= 32 and ord(c) != 127)).strip()
    assert "Authorization: Bearer $TOKEN" in headers and "X-Key: $API_KEY" in headers
    assert f"X-Trace: {clean}" in headers
    assert all("\n" not in h and "\r" not in h for h in headers)
    # Authorization, X-Key, X-Trace, Content-Type, and the hostile name only if it is an HTTP token
    assert len(headers) == 4 + bool(re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", value))
    cookie = argv[argv.index("-b") + 1]
    assert cookie == "session=" + quoted
    assert json.loads(argv[argv.index("--data-raw") + 1]) == {value: value, "n": value}


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_hostile_values_stay_data_in_python(value: str) -> None:
    spec, op = hostile_spec(value)
    sample = request_sample(spec, op)
    seen = run_python(python_text(sample))
    assert seen["method"] == "post"
    assert seen["args"][0] == curl_argv(sample)[3].partition("?")[0]
    assert seen["params"] == {value: [ENV["API_KEY_2"], value], "list": [value, "b"]}
    assert seen["headers"]["Authorization"] == "Bearer " + ENV["TOKEN"]
    assert seen["headers"]["X-Key"] == ENV["API_KEY"]
    assert seen["cookies"] == {"session": urllib.parse.quote(value, safe="")}
    assert seen["json"] == {value: value, "n": value}


@pytest.mark.parametrize("base", ["https://h'$(touch${IFS}pwned)", "https://h'$(id)`id`;x", "https://{region}.example.com", "/v1", "", "javascript:alert(1)"])
def test_hostile_or_relative_base_urls(base: str, tmp_path: Path) -> None:
    spec, op = hostile_spec("v", base_url=base)
    sample = request_sample(spec, op)
    argv = curl_argv(sample)
    assert run_fake_curl(curl_text(sample), tmp_path) == [expand(w, ENV) for w in argv]
    assert not (tmp_path / "pwned").exists()
    url = argv[3]
    if base == "https://h'$(id)`id`;x":
        assert url.startswith("https://h'$(id)%60id%60;x/things/")
    else:
        assert url.startswith("$BASE_URL" + ("/v1" if base == "/v1" else "") + "/things/")
        assert "BASE_URL" in sample.env
    run_python(python_text(sample))


def test_auth_placeholders() -> None:
    schemes = {
        "basic": SecurityScheme("basic", "http", scheme="basic"),
        "oauth": SecurityScheme("oauth", "oauth2"),
        "oidc": SecurityScheme("oidc", "openIdConnect"),
        "cookie": SecurityScheme("cookie", "apiKey", location="cookie", param_name="sid"),
        "tls": SecurityScheme("tls", "mutualTLS"),
    }
    cases = {
        "basic": ["-u", "$USERNAME:$PASSWORD"],
        "oauth": ["-H", "Authorization: Bearer $TOKEN"],
        "oidc": ["-H", "Authorization: Bearer $TOKEN"],
        "cookie": ["-b", "sid=$API_KEY"],
        "tls": ["--cert", "$CLIENT_CERT", "--key", "$CLIENT_KEY"],
    }
    for name, expected in cases.items():
        op = Operation("GET", "/x", "x", resource_path="/r", security=(SecurityRequirement(((name, ()),)),))
        spec = ApiSpec("3.0.0", resources=(Resource("/r", apis=(ApiPath("/x", operations=(op,)),)),),
                       security_schemes=schemes, base_url="https://api.example.com")
        argv = curl_argv(request_sample(spec, op))
        assert any(argv[i:i + len(expected)] == expected for i in range(len(argv))), (name, argv)
        text = curl_sample(spec, op)
        assert re.search(r"\"[\w :=-]*\$[A-Z_]+[\w :=$]*\"", text)  # placeholders in double quotes: the shell expands them
        run_python(python_sample(spec, op))
    assert '-u "$USERNAME:$PASSWORD"' in curl_sample(spec, Operation("GET", "/x", "y", resource_path="/r",
                                                                     security=(SecurityRequirement((("basic", ()),)),)))


# -- a real request ------------------------------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                          "body": self.rfile.read(length)})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def recording_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def loopback_spec(base: str) -> tuple[ApiSpec, Operation]:
    thing = Model("Thing", (Property("name", TypeRef(type="string"), example="Ada's \"thing\" $(x)"),
                            Property("size", TypeRef(type="integer"), minimum=3),
                            Property("id", TypeRef(type="integer"), constraints=Constraints(read_only=True))))
    params = (
        Parameter("thing_id", "path", TypeRef(type="string"), required=True, examples=(Example("a b/c'd"),)),
        Parameter("q", "query", TypeRef(type="string"), required=True, examples=(Example("x&y=z é"),)),
        Parameter("optional", "query", TypeRef(type="string")),
        Parameter("X-Trace", "header", TypeRef(type="string"), required=True, examples=(Example("t-1; $(id)"),)),
        Parameter("body", "body", TypeRef(ref="Thing"), required=True),
    )
    op = Operation("PUT", "/things/{thing_id}", "put-thing", parameters=params, resource_path="/things",
                   security=(SecurityRequirement((("bearer", ()), ("key", ()))),))
    schemes = {"bearer": SecurityScheme("bearer", "http", scheme="bearer"),
               "key": SecurityScheme("key", "apiKey", location="query", param_name="api_key")}
    resource = Resource("/things", apis=(ApiPath("/things", operations=(op,)),), models={"Thing": thing})
    return ApiSpec("3.0.0", resources=(resource,), security_schemes=schemes, base_url=base + "/api/"), op


def check_request(seen: dict[str, Any], spec: ApiSpec, op: Operation) -> None:
    assert seen["method"] == "PUT"
    path, _, query = seen["path"].partition("?")
    assert path == "/api/things/" + urllib.parse.quote("a b/c'd", safe="")
    assert urllib.parse.parse_qs(query) == {"q": ["x&y=z é"], "api_key": [ENV["API_KEY"]]}
    headers = {k.lower(): v for k, v in seen["headers"].items()}
    assert headers["authorization"] == "Bearer " + ENV["TOKEN"]
    assert headers["x-trace"] == "t-1; $(id)"
    assert headers["content-type"] == "application/json"
    body = json.loads(seen["body"])
    assert body == request_example(spec, op) == {"name": "Ada's \"thing\" $(x)", "size": 3}


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="no curl or bash")
def test_curl_sample_really_runs(tmp_path: Path) -> None:
    with recording_server() as (base, seen):
        spec, op = loopback_spec(base)
        environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        result = subprocess.run(["bash", "-c", curl_sample(spec, op) + " --silent --show-error"], capture_output=True,
                                cwd=tmp_path, env={**environment, **ENV}, timeout=30)
        assert result.returncode == 0, result.stderr
        assert len(seen) == 1
        check_request(seen[0], spec, op)


def test_python_sample_really_runs() -> None:
    pytest.importorskip("requests")
    with recording_server() as (base, seen):
        spec, op = loopback_spec(base)
        source = python_sample(spec, op)
        check_python(source)
        saved = {k: os.environ.get(k) for k in ENV}
        os.environ.update(ENV)
        try:
            namespace: dict[str, Any] = {}
            exec(compile(source, "<sample>", "exec"), namespace)
        finally:
            for key, old in saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old
        assert namespace["response"].status_code == 200
        assert len(seen) == 1
        check_request(seen[0], spec, op)
        assert Env("TOKEN").name in source
