"""Request samples for one operation: ``curl`` (POSIX shell) and Python ``requests``.

``request_sample`` decides the request once (``RequestSample``: method, URL, query, headers,
cookies, credentials, body); the two renderers only write it down. Credentials are always
environment-variable placeholders (``$TOKEN``, ``$API_KEY``...), never values.

Safety: everything that comes from the spec is data. In ``curl``, every piece of it is
``shlex.quote``-d; placeholders are written as ``"$NAME"`` (double quotes, names of our
own), joined to quoted pieces without spaces, so the shell expands the variable and nothing
else. Text that ``shlex.quote`` would leave bare (plus spaces) may share the double quotes
of a placeholder: such text holds no ``$``, backquote, backslash, quote or ``!``. In Python, values are ``repr()`` literals of
exact ``str``/``int``/``float``/``bool``/``None``/``list``/``dict``; the only names are
``os``, ``requests`` and ``response``. Path and query values are percent-encoded; header
names that are not HTTP tokens are left out, and control characters are dropped from header
values (no header can be split). NUL never reaches an argument.
"""

from __future__ import annotations

import json
import re
import shlex
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Union

from sphinx_apidocs.examples.build import ExampleBuilder, is_json_media
from sphinx_apidocs.spec.model import UNSET, ApiSpec, Operation, Parameter, SecurityScheme


@dataclass(frozen=True)
class Env:
    """An environment variable the reader sets (a placeholder for a secret or a base URL)."""

    name: str


Part = Union[str, Env]
Text = tuple[Part, ...]

TOKEN = Env("TOKEN")
USERNAME = Env("USERNAME")
PASSWORD = Env("PASSWORD")
BASE_URL = Env("BASE_URL")
CLIENT_CERT = Env("CLIENT_CERT")
CLIENT_KEY = Env("CLIENT_KEY")

_TOKEN_CHARS = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 token
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_PATH_PARAM = re.compile(r"\{([^{}]*)\}")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_PATH_SAFE = "/:@!$&'()*+,;=%~-._"
_DQ_SAFE = re.compile(r"[\w@%+=:,./ -]*", re.ASCII)  # shlex.quote leaves these bare; plus space
_METHODS_WITH_BODY = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class RequestSample:
    """One example request of an operation, ready to be written as ``curl`` or Python.

    ``url``: the absolute URL (percent-encoded path) without the query; ``query``: ``(name,
    value)`` pairs, the values as text or a placeholder; ``headers`` and ``cookies`` likewise;
    ``basic``: ``(user, password)`` placeholders; ``body``: the JSON body (``UNSET``: none);
    ``form``: url-encoded form fields.
    """

    method: str
    url: Text
    query: tuple[tuple[str, Part], ...] = ()
    headers: tuple[tuple[str, Text], ...] = ()
    cookies: tuple[tuple[str, Part], ...] = ()
    basic: tuple[Env, Env] | None = None
    digest: bool = False
    client_cert: tuple[Env, Env] | None = None
    body: Any = UNSET
    form: tuple[tuple[str, str], ...] = ()
    env: tuple[str, ...] = field(default=())  # the variables the reader must set

    def query_text(self) -> Text:
        """``?a=1&b=2`` (percent-encoded), placeholders kept apart; ``()`` without a query."""
        parts: list[Part] = []
        for index, (name, value) in enumerate(self.query):
            parts.append(("?" if index == 0 else "&") + urllib.parse.quote(name, safe="") + "=")
            parts.append(value if isinstance(value, Env) else urllib.parse.quote(value, safe=""))
        return _merge(parts)


# -- deciding the request ------------------------------------------------------------------


def request_sample(spec: ApiSpec, op: Operation, builder: ExampleBuilder | None = None) -> RequestSample:
    """The example request of ``op``: path parameters filled in, required query, header,
    cookie and form parameters (and headers with an example), the JSON body example, and
    credentials as placeholders for the first security requirement that can be written."""
    builder = builder or ExampleBuilder(spec)
    value_of = _ParamValues(builder, op)
    url = _base(spec, op) + (_path(op, value_of),)
    query: list[tuple[str, Part]] = []
    headers: list[tuple[str, Text]] = []
    cookies: list[tuple[str, Part]] = []
    form: list[tuple[str, str]] = []
    env: list[str] = [p.name for p in url if isinstance(p, Env)]

    auth = _Auth(spec, op)
    env += auth.env
    headers += auth.headers
    query += auth.query
    cookies += auth.cookies

    taken = {name.lower() for name, _ in headers}
    for param in op.parameters:
        wanted = param.required or (param.location == "header" and bool(param.examples))
        if not wanted or param.location in ("path", "body"):
            continue
        if param.location == "query":
            for text in _texts(value_of(param), param):
                query.append((param.name, text))
        elif param.location == "header":
            if _TOKEN_CHARS.fullmatch(param.name) and param.name.lower() not in taken:
                taken.add(param.name.lower())
                headers.append((param.name, (_header_value(_joined(value_of(param))),)))
        elif param.location == "cookie":
            if _TOKEN_CHARS.fullmatch(param.name):
                cookies.append((param.name, urllib.parse.quote(_joined(value_of(param)), safe="")))
        elif param.location == "form":
            if param.type.type != "file" and param.type.model_name() not in ("File", "file"):
                for text in _texts(value_of(param), param):
                    form.append((param.name, text))

    body = builder.request_body(op) if any(p.location == "body" for p in op.parameters) else UNSET
    accept = next((m for m in op.produces if is_json_media(m) and m != "*/*"), "")
    if accept and "accept" not in taken:
        headers.insert(0, ("Accept", (accept,)))
        taken.add("accept")
    if "content-type" not in taken:
        if body is not UNSET:
            body_param = next(p for p in op.parameters if p.location == "body")
            media = next((m for m in (*body_param.media_types, *op.consumes) if is_json_media(m) and m != "*/*"), "")
            headers.append(("Content-Type", (_header_value(media or "application/json"),)))
        elif form:
            headers.append(("Content-Type", ("application/x-www-form-urlencoded",)))
    return RequestSample(
        method=_method(op.method),
        url=_merge(list(url)),
        query=tuple(query),
        headers=tuple((name, _merge(list(value))) for name, value in headers),
        cookies=tuple(cookies),
        basic=auth.basic,
        digest=auth.digest,
        client_cert=auth.client_cert,
        body=body,
        form=tuple(form),
        env=tuple(dict.fromkeys(env)),
    )


class _ParamValues:
    """Example values of parameters, each computed once."""

    def __init__(self, builder: ExampleBuilder, op: Operation) -> None:
        self.builder = builder
        self.op = op

    def __call__(self, param: Parameter) -> Any:
        return self.builder.parameter(self.op, param)


def _method(method: str) -> str:
    text = method.upper()
    return text if _TOKEN_CHARS.fullmatch(text) else "GET"


def _base(spec: ApiSpec, op: Operation) -> tuple[Part, ...]:
    resource = spec.resource(op.resource_path)
    base = spec.base_url or (resource.base_path if resource is not None else "")
    base = base.strip()
    if _CONTROL.search(base) or "{" in base or "}" in base or " " in base:
        return (BASE_URL,)
    if re.match(r"(?i)https?://[^/?#]", base):
        return (urllib.parse.quote(base.rstrip("/"), safe=_URL_SAFE),)
    if base.startswith("/"):
        return (BASE_URL, urllib.parse.quote(base.rstrip("/"), safe=_PATH_SAFE))
    return (BASE_URL,)


def _path(op: Operation, value_of: _ParamValues) -> str:
    by_name = {p.name: p for p in op.parameters if p.location == "path"}
    path = op.path if op.path.startswith("/") else "/" + op.path
    out: list[str] = []
    last = 0
    for match in _PATH_PARAM.finditer(path):
        out.append(urllib.parse.quote(path[last : match.start()], safe=_PATH_SAFE.replace("%", "")))
        name = match.group(1)
        param = by_name.get(name)
        if param is not None:
            text = _joined(value_of(param), ",")
        else:
            text = "json" if name == "format" else "string"
        out.append(urllib.parse.quote(text, safe=""))
        last = match.end()
    out.append(urllib.parse.quote(path[last:], safe=_PATH_SAFE.replace("%", "")))
    return "".join(out)


def _text(value: Any) -> str:
    """A parameter value as it travels in a URL or a header."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _texts(value: Any, param: Parameter) -> list[str]:
    """One text per repetition of a parameter (an array repeats: ``a=1&a=2``)."""
    if isinstance(value, list):
        return [_text(item) for item in value] or [""]
    return [_text(value)]


def _joined(value: Any, separator: str = ",") -> str:
    if isinstance(value, list):
        return separator.join(_text(item) for item in value)
    return _text(value)


def _header_value(text: str) -> str:
    return _CONTROL.sub("", text).replace("\t", " ").strip()


def _merge(parts: list[Part]) -> Text:
    """Adjacent text parts joined (placeholders stay apart)."""
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)


class _Auth:
    """Credentials, as placeholders, for the first security requirement that can be written."""

    def __init__(self, spec: ApiSpec, op: Operation) -> None:
        self.headers: list[tuple[str, Text]] = []
        self.query: list[tuple[str, Part]] = []
        self.cookies: list[tuple[str, Part]] = []
        self.basic: tuple[Env, Env] | None = None
        self.digest = False
        self.client_cert: tuple[Env, Env] | None = None
        self.env: list[str] = []
        self._keys = 0
        chosen = None
        for requirement in op.security:
            schemes = [spec.security_schemes.get(name) for name, _ in requirement.schemes]
            if all(s is not None and _writable(s) for s in schemes):
                chosen = [s for s in schemes if s is not None]
                break
        for scheme in chosen or ():
            self._add(scheme)

    def _use(self, *names: Env) -> None:
        self.env += [n.name for n in names]

    def _bearer(self, prefix: str = "Bearer") -> None:
        if not any(name.lower() == "authorization" for name, _ in self.headers):
            self.headers.append(("Authorization", (prefix + " ", TOKEN)))
            self._use(TOKEN)

    def _add(self, scheme: SecurityScheme) -> None:
        kind = scheme.type.lower()
        http_scheme = scheme.scheme.lower()
        if kind == "http" and http_scheme in ("basic", "digest"):
            if self.basic is None:
                self.basic = (USERNAME, PASSWORD)
                self.digest = http_scheme == "digest"
                self._use(USERNAME, PASSWORD)
        elif kind == "http" and http_scheme == "bearer" or kind in ("oauth2", "openidconnect"):
            self._bearer()
        elif kind == "http":
            self._bearer(scheme.scheme)
        elif kind == "apikey":
            self._keys += 1
            key = Env("API_KEY" if self._keys == 1 else f"API_KEY_{self._keys}")
            self._use(key)
            location = scheme.location.lower()
            if location == "query":
                self.query.append((scheme.param_name, key))
            elif location == "cookie":
                self.cookies.append((scheme.param_name, key))
            else:
                self.headers.append((scheme.param_name, (key,)))
        elif kind == "mutualtls" and self.client_cert is None:
            self.client_cert = (CLIENT_CERT, CLIENT_KEY)
            self._use(CLIENT_CERT, CLIENT_KEY)


def _writable(scheme: SecurityScheme) -> bool:
    kind = scheme.type.lower()
    if kind in ("oauth2", "openidconnect", "mutualtls"):
        return True
    if kind == "http":
        return bool(_TOKEN_CHARS.fullmatch(scheme.scheme))
    if kind == "apikey":
        location = scheme.location.lower()
        if location == "header":
            return bool(_TOKEN_CHARS.fullmatch(scheme.param_name))
        if location == "cookie":
            return bool(_TOKEN_CHARS.fullmatch(scheme.param_name))
        return location == "query" and bool(scheme.param_name)
    return False


# -- curl ----------------------------------------------------------------------------------


def curl_lines(sample: RequestSample) -> list[list[Text]]:
    """The ``curl`` command as lines of arguments (each a ``Text``)."""
    lines: list[list[Text]] = []
    first: list[Text] = [("curl",)]
    if sample.method == "HEAD":
        first.append(("--head",))
    elif sample.method != "GET" or (sample.body is not UNSET or sample.form):
        first += [("-X",), (sample.method,)]
    first.append(_merge([*sample.url, *sample.query_text()]))
    lines.append(first)
    for name, value in sample.headers:
        lines.append([("-H",), _merge([name + ": ", *value])])
    if sample.cookies:
        parts: list[Part] = []
        for index, (name, cookie) in enumerate(sample.cookies):
            parts += [("; " if index else "") + name + "=", cookie]
        lines.append([("-b",), _merge(parts)])
    if sample.basic is not None:
        user, password = sample.basic
        lines.append([*((("--digest",),) if sample.digest else ()), ("-u",), (user, ":", password)])
    if sample.client_cert is not None:
        cert, key = sample.client_cert
        lines.append([("--cert",), (cert,), ("--key",), (key,)])
    if sample.body is not UNSET:
        lines.append([("--data-raw",), (json.dumps(sample.body, ensure_ascii=False, indent=2),)])
    elif sample.form:
        encoded = urllib.parse.urlencode(list(sample.form), quote_via=urllib.parse.quote)
        lines.append([("--data-raw",), (encoded,)])
    return lines


def shell_word(text: Text) -> str:
    """One shell word: spec text ``shlex.quote``-d, placeholders ``"$NAME"``."""
    if any(isinstance(p, Env) for p in text) and all(isinstance(p, Env) or _DQ_SAFE.fullmatch(p) for p in text):
        return '"' + "".join(f"${p.name}" if isinstance(p, Env) else p for p in text) + '"'
    return "".join(f'"${p.name}"' if isinstance(p, Env) else shlex.quote(p) for p in text) or "''"


def curl_text(sample: RequestSample, *, multiline: bool = True) -> str:
    lines = [" ".join(shell_word(word) for word in line) for line in curl_lines(sample)]
    return (" \\\n  " if multiline else " ").join(lines)


def curl_argv(sample: RequestSample) -> list[str]:
    """The argument vector the shell hands to ``curl``, placeholders written ``$NAME``."""
    return ["".join(f"${p.name}" if isinstance(p, Env) else p for p in word) for line in curl_lines(sample) for word in line]


# -- Python --------------------------------------------------------------------------------


def python_text(sample: RequestSample) -> str:
    uses_env = False

    def expr(text: Text) -> str:
        nonlocal uses_env
        pieces = []
        for part in text:
            if isinstance(part, Env):
                uses_env = True
                pieces.append(f"os.environ[{part.name!r}]")
            else:
                pieces.append(_literal(part, 1))
        return " + ".join(pieces) or "''"

    def mapping(pairs: list[tuple[str, str]]) -> str:
        if not pairs:
            return "{}"
        inner = "".join(f"        {_literal(k, 2)}: {v},\n" for k, v in pairs)
        return "{\n" + inner + "    }"

    arguments: list[str] = [expr(sample.url)]
    if sample.query:
        grouped: dict[str, list[Part]] = {}
        for name, value in sample.query:
            grouped.setdefault(name, []).append(value)
        pairs = []
        for name, values in grouped.items():
            rendered = [expr((v,)) for v in values]
            pairs.append((name, rendered[0] if len(rendered) == 1 else "[" + ", ".join(rendered) + "]"))
        arguments.append("params=" + mapping(pairs))
    if sample.headers:
        arguments.append("headers=" + mapping([(name, expr(value)) for name, value in sample.headers]))
    if sample.cookies:
        arguments.append("cookies=" + mapping([(name, expr((value,))) for name, value in sample.cookies]))
    if sample.basic is not None:
        user, password = sample.basic
        arguments.append(f"auth=({expr((user,))}, {expr((password,))})")
    if sample.client_cert is not None:
        cert, key = sample.client_cert
        arguments.append(f"cert=({expr((cert,))}, {expr((key,))})")
    if sample.body is not UNSET:
        arguments.append("json=" + _literal(sample.body, 1))
    elif sample.form:
        grouped_form: dict[str, list[str]] = {}
        for name, text in sample.form:
            grouped_form.setdefault(name, []).append(text)
        arguments.append("data=" + _literal({k: v[0] if len(v) == 1 else v for k, v in grouped_form.items()}, 1))
    arguments.append("timeout=30")
    head = "import os\n\n" if uses_env else ""
    comment = "# HTTP digest authentication: pass requests.auth.HTTPDigestAuth(...) as auth\n" if sample.digest else ""
    call = f"response = requests.{sample.method.lower()}(\n" + "".join(f"    {a},\n" for a in arguments) + ")\n"
    if not re.fullmatch(r"[a-z]+", sample.method.lower()) or sample.method.lower() not in _REQUESTS_METHODS:
        call = f"response = requests.request(\n    {sample.method!r},\n" + "".join(f"    {a},\n" for a in arguments) + ")\n"
    return head + "import requests\n\n" + comment + call


_REQUESTS_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


def _literal(value: Any, level: int) -> str:
    """A Python literal of a JSON value: ``repr`` of exact types only, indented when long."""
    if value is None or value is True or value is False:
        return repr(value)
    if isinstance(value, str):
        return repr(str.__str__(value))
    if isinstance(value, int):
        return int.__repr__(int(value))
    if isinstance(value, float):
        number = float(value)
        return float.__repr__(number) if number == number and number not in (float("inf"), float("-inf")) else "None"
    if isinstance(value, (list, tuple)):
        items = [_literal(item, level + 1) for item in value]
        flat = "[" + ", ".join(items) + "]"
        if len(flat) + 4 * level <= 88 and "\n" not in flat:
            return flat
        pad = "    " * (level + 1)
        return "[\n" + "".join(f"{pad}{item},\n" for item in items) + "    " * level + "]"
    if isinstance(value, dict):
        pairs = [(_literal(str(key), level + 1), _literal(member, level + 1)) for key, member in value.items()]
        flat = "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"
        if len(flat) + 4 * level <= 88 and "\n" not in flat:
            return flat
        pad = "    " * (level + 1)
        return "{\n" + "".join(f"{pad}{k}: {v},\n" for k, v in pairs) + "    " * level + "}"
    return "None"
