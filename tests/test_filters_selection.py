"""Runtime field selection (``fields=``): properties against a reference, errors, cache, CLI,
and the WSGI/ASGI examples of docs/field_selection.rst run as they are written there.
"""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
import random
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sphinx_apidocs.cli import main
from sphinx_apidocs.errors import ApidocsError
from sphinx_apidocs.filters import (
    CompiledFilters,
    FieldSelectionError,
    FieldSelector,
    FilterError,
    FilterTree,
    UnknownOperationError,
    compile_filter,
    dotted_paths,
    escape_name,
    intersect,
    load_filters,
    plan_of,
    select_tree,
    split_fields,
)
from sphinx_apidocs.filters.budget import SELECTION_BUDGET
from sphinx_apidocs.filters.compile import factory_cache_clear, factory_cache_info
from sphinx_apidocs.filters.interpret import generic_node, interpret
from sphinx_apidocs.filters.tree import TreeBuilder

from filter_reference import reference

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "field_selection.rst"
KEYS = ["a", "b", "c", "a.b", "*", "x\\y", "p,q"]


Decl = tuple[tuple[str, ...], bool]


def build(decls: list[Decl]) -> FilterTree:
    builder = TreeBuilder()
    for names, star in decls:
        builder.add(names, star=star)
    return builder.build()


def within(decls: list[Decl], names: tuple[str, ...], star: bool) -> bool:
    """Is the requested path inside the whitelist declared by ``decls``? (independent oracle)"""
    if not names:
        return True  # '*' alone: everything the whitelist allows
    for declared, declared_star in decls:
        if names == declared[: len(names)]:
            return True  # the way to a declaration, or the declaration itself
        if names[: len(declared)] == declared and (len(names) > len(declared) or star):
            return True  # below a leaf or a '*' (union: a leaf subsumes what is declared below)
    return False


def key_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            found.append(prefix + (key,))
            found += key_paths(item, prefix + (key,))
        return found
    if isinstance(value, list):
        return [p for item in value for p in key_paths(item, prefix)]
    return []


def passes(decls: list[Decl], path: tuple[str, ...]) -> bool:
    """May an output key path pass the filter declared by ``decls``?"""
    for names, star in decls:
        if path[: len(names)] == names and (not star or len(path) > len(names)):
            return True
        if path == names[: len(path)]:
            return True
    return False


def write(names: tuple[str, ...], star: bool) -> str:
    """A request path: the dotted syntax, plus ``\\,`` for a comma (commas separate paths)."""
    return ".".join([escape_name(n).replace(",", "\\,") for n in names] + (["*"] if star else []))


names_st = st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(tuple)
declarations = st.lists(st.tuples(names_st, st.booleans()), max_size=6)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=2),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS + ["e"]), inner, max_size=5),
    max_leaves=10,
)


@st.composite
def whitelist_and_request(draw: Any) -> tuple[list[Decl], list[Decl]]:
    """A whitelist and a request, mostly made of the whitelist's own paths (their prefixes,
    extensions below them, stars) so most requests are valid, with strangers mixed in.
    """
    decls = draw(declarations)
    request: list[Decl] = []
    for _ in range(draw(st.integers(0, 4))):
        if decls and draw(st.integers(0, 3)):
            names, _ = draw(st.sampled_from(decls))
            names = names[: draw(st.integers(0, len(names)))]
            names += tuple(draw(st.lists(st.sampled_from(KEYS + ["e"]), max_size=2)))
            star = draw(st.booleans())
            if names or star:
                request.append((names, star))
        else:
            request.append((draw(names_st), draw(st.booleans())))
    return decls, request


def request_text(request: list[Decl], rng: random.Random) -> str:
    items = [write(names, star) for names, star in request]
    rng.shuffle(items)
    return ",".join(" " * rng.randint(0, 2) + item + " " * rng.randint(0, 2) for item in items)


@given(whitelist_and_request(), json_like, st.randoms(use_true_random=False))
def test_selection_is_whitelist_then_request_and_errors_name_every_outsider(case, data, rng):
    decls, request = case
    whitelist = build(decls)
    text = request_text(request, rng)
    outside = [write(n, s) for n, s in request if not within(decls, n, s)]
    selector = FieldSelector({"op": whitelist}, cache_size=4)
    if outside:
        with pytest.raises(FieldSelectionError) as info:
            selector.select("op", text)
        assert sorted(info.value.invalid) == sorted(set(outside))
        assert info.value.allowed == dotted_paths(whitelist)
        with pytest.raises(FieldSelectionError):
            select_tree(whitelist, text)
        return
    before = copy.deepcopy(data)
    result = selector.select("op", text)(data)
    assert data == before
    requested = build(request) if request else FilterTree(star=True)
    assert result == reference(requested, reference(whitelist, data))
    for path in key_paths(result):
        assert passes(decls, path), path
        assert not request or passes(request, path), path
    # Equivalent requests (shuffled, other spaces, a duplicate) share one compiled filter.
    again = request_text(request + request[:1], rng)
    assert selector.select("op", again) is selector.select("op", text)
    assert selector.cache_info().misses <= 1
    # The same tree compiled the uncached way and through the generic fallback nodes.
    tree = select_tree(whitelist, text)
    assert compile_filter(tree)(data) == result
    assert interpret(plan_of(tree))(data) == result
    assert interpret(plan_of(tree), reuse_factories=False)(data) == result


@given(declarations, declarations, json_like)
def test_intersect_is_filter_composition_and_commutes_with_reference(first, second, data):
    a, b = build(first), build(second)
    assert reference(intersect(a, b), data) == reference(b, reference(a, data))
    assert reference(intersect(b, a), data) == reference(a, reference(b, data))
    assert intersect(a, FilterTree(star=True)) is a


# --- examples ------------------------------------------------------------------------------------

SAMPLE = {
    "info": {
        "ref": {"id": "u-42", "kind": "user"},
        "location": {"city": "Oslo", "country": "NO", "lat": 59.91},
        "portrait": {"url": "https://example.com/u-42.png", "bucket": "private"},
        "password_hash": "x",
    },
    "auth_user": {"uid": 42, "mail": "ada@example.com", "session": "x"},
}


@pytest.fixture
def filters() -> CompiledFilters:
    return load_filters(ROOT / "output_filters")


def test_the_semantics_table_of_the_docs(filters):
    op = "get-auth-user-info"
    whole = filters[op]
    for empty in (None, "", "  ", " , ", [], ["", " "], "*"):
        assert filters.select(op, empty) is whole
    assert filters.select(op, "auth_user, info") is whole
    assert filters.select(op, "info.location")(SAMPLE) == {"info": {"location": {"city": "Oslo", "country": "NO"}}}
    assert filters.select(op, "info.*")(SAMPLE) == filters.select(op, "info")(SAMPLE) == {"info": whole(SAMPLE)["info"]}
    result = filters.select(op, "auth_user.uid, info.ref")(SAMPLE)
    assert result == {"info": {"ref": {"id": "u-42", "kind": "user"}}, "auth_user": {"uid": 42}}
    assert list(result) == ["info", "auth_user"]  # the whitelist's order
    assert filters.select(op, "info.ref.id")(SAMPLE) == {"info": {"ref": {"id": "u-42"}}}
    assert filters.select(op, "info.ref.id")({"info": {"ref": "plain"}}) == {"info": {"ref": None}}
    assert filters.select(op, "info, info.ref")(SAMPLE) == filters.select(op, "info")(SAMPLE)
    for bad in ("info.secret", "password", "info.location.lat"):
        with pytest.raises(FieldSelectionError):
            filters.select(op, bad)
    # Below '*': settings: ["*"] in update-auth-user-profile.
    settings = {"settings": {"theme": {"dark": True, "size": 2}, "lang": "no"}}
    assert filters.select("update-auth-user-profile", "settings.theme.dark")(settings) == {
        "settings": {"theme": {"dark": True}}
    }


def test_error_attributes_message_and_json_body(filters):
    with pytest.raises(FieldSelectionError) as info:
        filters.select("get-auth-user-info", " info.secret , info..ref,auth_user, password,info.secret")
    exc = info.value
    allowed = dotted_paths(load_filters(ROOT / "output_filters").selector.tree("get-auth-user-info"))
    assert exc.invalid == ["info.secret", "info..ref", "password"]
    assert exc.problems == [
        ("info.secret", "not allowed"), ("info..ref", "empty segment in 'info..ref'"), ("password", "not allowed")
    ]
    assert exc.allowed == allowed and exc.nickname == "get-auth-user-info"
    assert str(exc) == (
        "fields: not allowed: info.secret, password; empty segment in 'info..ref' (allowed: "
        + ", ".join(allowed) + ")"
    )
    assert json.loads(json.dumps(exc.as_dict())) == {
        "error": "invalid_fields", "message": str(exc), "invalid": exc.invalid, "allowed": allowed
    }
    assert isinstance(exc, ApidocsError) and isinstance(exc, ValueError)
    assert not isinstance(exc, FilterError)  # the request is bad, not the filter files


def test_the_doc_example_error_is_exact(filters):
    text = DOC.read_text(encoding="utf-8")
    shown = re.search(r"   \['info\.secret', 'info\.\.ref'\]\n   (fields: .*)\n", text).group(1)
    with pytest.raises(FieldSelectionError) as info:
        filters.select("get-auth-user-info", "info.secret, info..ref, auth_user")
    assert str(info.value) == shown


def test_long_allowed_lists_are_cut_in_the_message_only():
    tree = FilterTree.from_paths([f"f{i}" for i in range(30)])
    with pytest.raises(FieldSelectionError) as info:
        select_tree(tree, "nope")
    assert str(info.value).endswith("f19, ... (10 more))")
    assert len(info.value.allowed) == 30
    with pytest.raises(FieldSelectionError) as info:
        select_tree(FilterTree(), "a")
    assert str(info.value) == "fields: not allowed: a (allowed: nothing)"


def test_unknown_operation_is_a_readable_key_error(filters):
    for call in (lambda: filters.select("nope", "a"), lambda: filters.select("nope"),
                 lambda: FieldSelector({}).select_tree("nope", "a")):
        with pytest.raises(KeyError) as info:
            call()
        assert isinstance(info.value, UnknownOperationError)
        assert str(info.value) == "no filter for operation 'nope'"
    with pytest.raises(KeyError):
        filters["nope"]


def test_syntax_escapes_and_lists():
    tree = FilterTree((("app.version", None), ("a\\b", None), ("*", None), ("p,q", None), ("s", FilterTree(star=True))))
    data = {"app.version": 1, "a\\b": 2, "*": 3, "p,q": 4, "s": {"k": 5}, "other": 6}
    selector = FieldSelector({"op": tree})
    assert selector.select("op", "app\\.version")(data) == {"app.version": 1}
    assert selector.select("op", "a\\\\b, \\*")(data) == {"a\\b": 2, "*": 3}
    assert selector.select("op", "p\\,q")(data) == {"p,q": 4}
    assert selector.select("op", ["s.k", "app\\.version,\\*"])(data) == {"app.version": 1, "*": 3, "s": {"k": 5}}
    assert split_fields([" a ,b,, a", "c\\,d,e\\.f"]) == ["a", "b", "c,d", "e\\.f"]
    with pytest.raises(FieldSelectionError) as info:
        selector.select("op", "app.version, a\\x, s.*.k, p,q")
    assert info.value.invalid == ["app.version", "a\\x", "s.*.k", "p", "q"]
    with pytest.raises(TypeError):
        split_fields([1])


def test_request_types_and_cache_keys():
    class Sneaky(str):
        def __hash__(self) -> int:
            return 1

        def __eq__(self, other: object) -> bool:
            return True

    selector = FieldSelector({"op": FilterTree.from_paths(["a", "b", "c"])})
    data = {"a": 1, "b": 2, "c": 3}
    whole = selector.whitelist("op")
    assert selector.select("op") is selector.select("op", None) is selector.select("op", "") is whole
    assert selector.select("op", ["a", "b"])(data) == {"a": 1, "b": 2}  # a list (parse_qs)
    assert selector.select("op", ("c",))(data) == {"c": 3}
    for _ in range(3):  # generators are hashable by identity: never cache keys as they are
        assert selector.select("op", (x for x in ["a"]))(data) == {"a": 1}
        assert selector.select("op", (x for x in ["b"]))(data) == {"b": 2}
    assert selector.select("op", Sneaky("a"))(data) == {"a": 1}
    assert selector.select("op", Sneaky("b"))(data) == {"b": 2}
    assert selector.select("op", [Sneaky("c")])(data) == {"c": 3}
    assert selector.select("op", (Sneaky("a"),))(data) == {"a": 1}
    for bad, message in (([1], "fields must be str, not int"), (("a", None), "fields must be str, not NoneType"),
                         (5, "fields must be str, a list of str or None, not int")):
        with pytest.raises(TypeError, match=re.escape(message)):
            selector.select("op", bad)


def test_limits_keep_hostile_requests_cheap():
    tree = FilterTree.from_paths(["a", "b.c"])
    assert select_tree(tree, "a" + ".x" * 32) is not None
    with pytest.raises(FieldSelectionError) as info:
        select_tree(tree, "a" + ".x" * 33)
    assert "nested too deeply" in str(info.value)
    with pytest.raises(FieldSelectionError) as info:
        select_tree(tree, ",".join(f"a.k{i}" for i in range(1001)))
    assert str(info.value).startswith("fields: too many paths: 1001 (at most 1000) (allowed: a, b.c)")
    assert info.value.invalid == []
    selector = FieldSelector({"op": tree})
    with pytest.raises(FieldSelectionError):
        selector.select("op", "a" + ".x" * 5000)  # a hostile depth: an error, not a RecursionError


def test_new_node_shapes_past_the_budget_use_generic_nodes(monkeypatch):
    monkeypatch.setattr(SELECTION_BUDGET, "spent", SELECTION_BUDGET.limit)
    factory_cache_clear()  # every shape is new
    names = [f"z{i}" for i in range(7)]
    tree = FilterTree.from_paths([f"{n}.{m}" for n in names for m in names] + ["leaf"])
    # Never-seen shapes: 41 fields at the top ('leaf' + one container per name, all below a leaf).
    request = ",".join(f"leaf.{n}.{m}" for n in names for m in names[:3]) + ",z1.z2,z3"
    selected = FieldSelector({"op": tree}).select("op", request)
    assert factory_cache_info().shapes == 0  # nothing generated
    data = {"leaf": {n: {m: [1, {"q": 2}] for m in names} for n in names}, "z1": {"z2": 3, "z0": 4}, "z3": {"x": 1}}
    expected = reference(select_tree(tree, request), data)
    assert selected(data) == expected == compile_filter(select_tree(tree, request))(data)
    assert selected.__code__ is generic_node(()).__code__
    assert selected({"leaf": None, "z3": 5}) == {"z3": None, "leaf": None}
    assert selected([{"z1": ({"z2": 1},)}, "s"]) == [{"z1": [{"z2": 1}]}, None]


def test_cache_is_bounded_normalized_and_counted():
    tree = FilterTree.from_paths(["a", "b", "c", "d"])
    selector = FieldSelector({"op": tree}, cache_size=2)
    first = selector.select("op", "b, a")
    assert selector.select("op", "a,b") is first  # normalized: one compiled filter
    assert selector.select("op", "a,b") is first  # exact request: one lookup
    assert selector.cache_info() == (2, 1, 2, 1)  # (hits, misses, maxsize, currsize)
    for request in ("a", "b", "c", "a,c", "b,c"):
        selector.select("op", request)
    assert selector.cache_info().currsize == 2
    selector.cache_clear()
    assert selector.cache_info() == (0, 0, 2, 0)
    uncached = FieldSelector({"op": tree}, cache_size=0)
    assert uncached.select("op", "a")({"a": 1, "b": 2}) == {"a": 1}
    for bad in (-1, None, True, 1.5):
        with pytest.raises(ValueError):
            FieldSelector({"op": tree}, cache_size=bad)


def test_thread_safety_under_concurrent_selection():
    tree = FilterTree.from_paths(["a.x", "a.y", "b", "c.*"])
    selector = FieldSelector({"op": tree}, cache_size=4)
    requests = ["a", "a.x", "b, a.y", "c.k", "b,c", "a.x,b", "c.k.z", "b"]
    data = {"a": {"x": 1, "y": 2, "z": 3}, "b": [1], "c": {"k": {"z": 1, "w": 2}, "j": 1}, "d": 0}
    expected = {r: reference(select_tree(tree, r), data) for r in requests}
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        try:
            for _ in range(2000):
                request = rng.choice(requests)
                assert selector.select("op", request)(data) == expected[request]
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert selector.cache_info().currsize <= 4


def test_load_filters_mapping_stays_read_only_and_cached(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("op: [a, b]\n")
    filters = load_filters(path, selection_cache_size=8)
    assert load_filters(path, selection_cache_size=8) is filters
    assert load_filters(path) is not filters  # another cache size, another selector
    assert filters.selector.cache_size == 8 and "op" in filters.selector
    assert filters.select("op", "b")({"a": 1, "b": 2}) == {"b": 2}
    assert dict(filters) == {"op": filters["op"]} and list(filters) == ["op"]
    for mutate in (lambda: filters.__setitem__("x", len), lambda: filters.pop("op"), filters.clear,
                   lambda: filters.update(x=1), lambda: filters.setdefault("x"), filters.popitem,
                   lambda: filters.__delitem__("op")):
        with pytest.raises(TypeError):
            mutate()
    with pytest.raises(TypeError):
        pickle.dumps(filters)
    assert list(filters) == ["op"]


# --- command line --------------------------------------------------------------------------------


def test_cli_apply_fields(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    (tmp_path / "r.json").write_text(json.dumps(SAMPLE))
    code = main(["apply", "output_filters", "--operation", "get-auth-user-info", str(tmp_path / "r.json"),
                 "--fields", " info.location.city,auth_user.uid "])
    out, err = capsys.readouterr()
    assert (code, json.loads(out), err) == (0, {"info": {"location": {"city": "Oslo"}}, "auth_user": {"uid": 42}}, "")
    code = main(["apply", "output_filters", "--fields", "info.x,auth_user.session", "--operation",
                 "get-auth-user-info", str(tmp_path / "missing.json")])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        "error: fields: not allowed: info.x, auth_user.session (allowed: info.ref, info.location.city, "
        "info.location.country, info.portrait.url, auth_user.uid, auth_user.mail)\n"
    )


# --- the examples of docs/field_selection.rst ------------------------------------------------------


def doc_example(marker: str) -> str:
    """The code block of the docs whose first line is ``# marker``, dedented."""
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text[text.index(f"   # {marker}\n") - 30 :])
    assert match, marker
    return "\n".join(line[3:] for line in match.group(1).splitlines()) + "\n"


def run_example(marker: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.chdir(ROOT)  # the examples load "output_filters" relative to the service
    namespace: dict[str, Any] = {"__name__": marker.removesuffix(".py")}
    exec(compile(doc_example(marker), str(DOC), "exec"), namespace)
    return namespace


def test_wsgi_example_over_real_http(monkeypatch):
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    app = run_example("wsgi_service.py", monkeypatch)["app"]
    server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/"

    def get(query: str) -> tuple[int, str, Any]:
        try:
            with urllib.request.urlopen(base + query, timeout=10) as response:
                return response.status, response.headers["Content-Type"], json.load(response)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.headers["Content-Type"], json.load(exc)

    try:
        whole = {
            "info": {
                "ref": {"id": "u-42", "kind": "user"},
                "location": {"city": "Oslo", "country": "NO"},
                "portrait": {"url": "https://example.com/u-42.png"},
            },
            "auth_user": {"uid": 42, "mail": "ada@example.com"},
        }
        assert get("") == (200, "application/json", whole)
        assert get("?fields=") == (200, "application/json", whole)
        assert get("?fields=info.location.city,auth_user.uid") == (
            200, "application/json", {"info": {"location": {"city": "Oslo"}}, "auth_user": {"uid": 42}}
        )
        assert get("?fields=auth_user.uid%2C%20info.ref.id&fields=info.portrait") == (
            200, "application/json",
            {"info": {"ref": {"id": "u-42"}, "portrait": {"url": "https://example.com/u-42.png"}},
             "auth_user": {"uid": 42}},
        )
        status, kind, body = get("?fields=auth_user.session,info.location")
        allowed = ["info.ref", "info.location.city", "info.location.country", "info.portrait.url",
                   "auth_user.uid", "auth_user.mail"]
        assert (status, kind) == (400, "application/json")
        assert body == {
            "error": "invalid_fields",
            "message": f"fields: not allowed: auth_user.session (allowed: {', '.join(allowed)})",
            "invalid": ["auth_user.session"],
            "allowed": allowed,
        }
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_asgi_example(monkeypatch):
    app = run_example("asgi_service.py", monkeypatch)["app"]

    async def call(query: bytes) -> tuple[int, dict[bytes, bytes], Any]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": "/", "query_string": query, "headers": []}
        await app(scope, receive, send)
        start, body = sent
        assert start["type"] == "http.response.start" and body["type"] == "http.response.body"
        headers = dict(start["headers"])
        assert int(headers[b"content-length"]) == len(body["body"])
        return start["status"], headers, json.loads(body["body"])

    status, headers, body = asyncio.run(call(b"fields=info.location.city%2Cauth_user.uid"))
    assert (status, headers[b"content-type"], body) == (
        200, b"application/json", {"info": {"location": {"city": "Oslo"}}, "auth_user": {"uid": 42}}
    )
    status, _, body = asyncio.run(call(b""))
    assert status == 200 and body == {"info": {"ref": {"id": "u-42"}, "location": {"city": "Oslo"}},
                                      "auth_user": {"uid": 42, "mail": "ada@example.com"}}
    status, _, body = asyncio.run(call(b"fields=info.lat"))
    assert status == 400 and body["invalid"] == ["info.lat"] and "info.ref" in body["allowed"]

    async def lifespan() -> None:
        await app({"type": "lifespan"}, None, None)

    asyncio.run(lifespan())  # returns without sending anything
