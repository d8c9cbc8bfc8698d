"""``RouteTable``: requests to documented operations, by method and path template."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from sphinx_apidocs.middleware import Route, RouteTable
from sphinx_apidocs.middleware.routes import base_prefix

from test_middleware_support import SPEC


def nick(table: RouteTable, method: str, path: str) -> str | None:
    found = table.match(method, path)
    return found.nickname if found else None


@pytest.mark.parametrize("order", [1, -1])
def test_literal_segments_win_whatever_the_order(order: int) -> None:
    routes = [("GET", "/users/{uid}", "get-user"), ("GET", "/users/me", "me"), ("GET", "/users/{uid}/x", "x")][::order]
    table = RouteTable(routes)
    assert nick(table, "GET", "/users/me") == "me"
    assert nick(table, "GET", "/users/42") == "get-user"
    assert nick(table, "GET", "/users/me/x") == "x"


def test_most_literal_segments_win_then_the_leftmost() -> None:
    table = RouteTable([("GET", "/a/{x}/{y}", "one"), ("GET", "/{p}/b/c", "two"), ("GET", "/{p}/{q}/c", "three")])
    assert nick(table, "GET", "/a/b/c") == "two"  # 2 literals beat 1, wherever they are
    assert nick(table, "GET", "/a/z/c") == "one"  # 1 each: the leftmost literal
    assert nick(table, "GET", "/z/z/c") == "three"
    assert nick(table, "GET", "/z/z/z") is None
    tie = RouteTable([("GET", "/{p}/b/c", "right"), ("GET", "/a/{x}/c", "left")])
    assert nick(tie, "GET", "/a/b/c") == "left"


def test_format_suffixes() -> None:
    table = RouteTable([("GET", "/users.{format}", "list"), ("GET", "/users/{uid}.{format}", "one"), ("GET", "/jobs", "jobs")])
    for path, expected in [
        ("/users", "list"), ("/users.json", "list"), ("/users.xml", "list"),
        ("/users/7", "one"), ("/users/7.json", "one"),
        ("/jobs.json", "jobs"),  # a suffix the template does not declare still matches: fail closed
        ("/jobs", "jobs"), (".json", None), ("/users/.json", "one"), ("/users/a/b", None),
    ]:
        assert nick(table, "GET", path) == expected, path


def test_mixed_segments() -> None:
    table = RouteTable([
        ("GET", "/reports/{year}-{month}", "monthly"),
        ("GET", "/reports/{id}", "report"),
        ("GET", "/reports/latest", "latest"),
        ("GET", "/files/report-{id}.csv", "csv"),
    ])
    assert nick(table, "GET", "/reports/2026-05") == "monthly"
    assert nick(table, "GET", "/reports/2026") == "report"
    assert nick(table, "GET", "/reports/latest") == "latest"
    assert nick(table, "GET", "/files/report-9.csv") == "csv"
    assert nick(table, "GET", "/files/other-9.csv") is None
    assert nick(table, "GET", "/files/report-.csv") is None  # a parameter is never empty
    # a template's text is matched literally, never as a pattern
    assert nick(RouteTable([("GET", "/a/x.+{id}", "dot")]), "GET", "/a/xxx") is None


def test_methods() -> None:
    table = RouteTable([("get", "/a", "get-a"), ("POST", "/a", "post-a"), ("HEAD", "/b", "head-b"), ("GET", "/b/{x}", "get-b")])
    assert nick(table, "GET", "/a") == "get-a"
    assert nick(table, "get", "/a") == "get-a"
    assert nick(table, "HEAD", "/a") == "get-a"  # HEAD is GET without the body
    assert nick(table, "HEAD", "/b") == "head-b"
    assert nick(table, "HEAD", "/b/1") == "get-b"
    assert nick(table, "PUT", "/a") is None
    assert nick(table, "OPTIONS", "/a") is None


def test_slashes() -> None:
    table = RouteTable([("GET", "/v2/users/{uid}", "u"), ("GET", "/", "root")])
    for path in ("/v2/users/1", "/v2/users/1/", "//v2//users/1", "v2/users/1"):
        assert nick(table, "GET", path) == "u", path
    assert nick(table, "GET", "/") == "root"
    assert nick(table, "GET", "") == "root"
    assert nick(table, "GET", "/v2/users") is None


def test_conflicts_keep_the_first() -> None:
    table = RouteTable([("GET", "/u/{a}", "first"), ("GET", "/u/{b}", "second"), ("POST", "/u/{b}", "post")])
    assert nick(table, "GET", "/u/1") == "first"
    assert [(a.nickname, b.nickname) for a, b in table.conflicts] == [("first", "second")]
    assert nick(table, "POST", "/u/1") == "post"


def test_entries_and_their_checks() -> None:
    table = RouteTable([("GET", ("v2", "users", "{uid}"), "get-user"), ("GET", "/q/{x}?debug=1", "query")])
    assert table.routes[0] == Route("GET", ("v2", "users", "{uid}"), "get-user")
    assert table.routes[0].template == "/v2/users/{uid}"
    assert table.routes[1].segments == ("q", "{x}")
    with pytest.raises(TypeError):
        RouteTable([("GET", "/a")])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        RouteTable([("GET", ("a", 1), "n")])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        RouteTable([("GET", "/a", b"n")])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        RouteTable([], headers={"n": {"Sunset": 1}})  # type: ignore[dict-item]


def test_base_prefixes() -> None:
    assert base_prefix("https://api.example.com/v2") == ("v2",)
    assert base_prefix("https://api.example.com/api/v2/") == ("api", "v2")
    assert base_prefix("//api.example.com/v3") == ("v3",)
    assert base_prefix("/api") == ("api",)
    assert base_prefix("https://api.example.com") == ()
    assert base_prefix("") == ()


def test_the_sample_spec() -> None:
    table = RouteTable.from_spec(SPEC)
    assert len(table) == sum(1 for op in SPEC.operations if op.kind == "operation")
    assert not table.conflicts
    assert nick(table, "GET", "/v2/users/abc") == "get-user"
    assert nick(table, "POST", "/v2/contracts/1/milestones/2/approve") == "approve-milestone"
    assert nick(table, "DELETE", "/v2/contracts/1/milestones/2") == "delete-milestone"
    assert nick(table, "GET", "/users/abc") is None
    unprefixed = RouteTable.from_spec(SPEC, base_path="")
    assert nick(unprefixed, "GET", "/users/abc") == "get-user"
    assert nick(RouteTable.from_spec(SPEC, base_path="https://x.example/api/v9"), "GET", "/api/v9/users/abc") == "get-user"


def big_table(count: int = 400, seed: int = 7) -> tuple[RouteTable, list[tuple[str, str, str]]]:
    """``count`` routes shaped like a large API (versions, resources, nested ids, verbs), with
    one concrete request per route."""
    rng = random.Random(seed)
    words = [f"res{i}" for i in range(40)]
    routes: list[tuple[str, str, str]] = []
    requests: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for n in itertools.count():
        if len(routes) == count:
            break
        depth = rng.randint(1, 4)
        parts = ["api", rng.choice(["v1", "v2"])]
        concrete = list(parts)
        for level in range(depth):
            word = rng.choice(words)
            parts.append(word)
            concrete.append(word)
            if level < depth - 1 or rng.random() < 0.5:
                parts.append(f"{{id{level}}}")
                concrete.append(str(rng.randint(1, 10**6)))
        method = rng.choice(["GET", "GET", "POST", "PUT", "DELETE"])
        template = "/" + "/".join(parts)
        if (method, template) in seen:
            continue
        seen.add((method, template))
        routes.append((method, template, f"op{n}"))
        requests.append((method, "/" + "/".join(concrete), f"op{n}"))
    return RouteTable(routes), requests


def test_a_large_table_matches_every_route_quickly() -> None:
    table, requests = big_table()
    assert len(table) == 400
    for method, path, nickname in requests:
        found = table.match(method, path)
        assert found is not None and found.nickname == nickname, (method, path)
    start = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for method, path, _ in requests:
            table.match(method, path)
    per_match = (time.perf_counter() - start) / (rounds * len(requests))
    assert per_match < 50e-6  # a loose bound for slow CI machines; benchmarks/middleware.py measures it


@pytest.mark.parametrize(
    "headers",
    [{"Sunset": "x\r\nSet-Cookie: a=b"}, {"Bad Name": "x"}, {"Sunset": "\u2028"}, {"Sunset": "caf\u00e9\u0100"}, {"": "x"}],
)
def test_extra_headers_cannot_split_a_response(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        RouteTable([("GET", "/a", "a")], headers={"a": headers})


def test_extra_headers_are_kept() -> None:
    table = RouteTable([("GET", "/a", "a")], headers={"a": {"Deprecation": "@1", "Sunset": "Sun, 01 Nov 2026 00:00:00 GMT"}})
    assert table.headers == {"a": {"Deprecation": "@1", "Sunset": "Sun, 01 Nov 2026 00:00:00 GMT"}}
