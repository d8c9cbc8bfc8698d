"""Trust over HTTP: credentials stay on their origin, redirects are checked, a whole-request
deadline holds against slow-loris servers, compressed and malformed input give clear lines.

Every test talks to real servers on 127.0.0.1 (two servers = two origins; a TLS one for
https) and asserts the exit status, the exact one-line message, the time taken, that no
traceback is printed, and -- by recording the headers each server received -- that no
secret ever arrives where it does not belong.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest

from cli_helpers import LISTING, PETS, one_error, run_cli
from httpserver import Route, ScriptedServer, scripted_server
from sphinx_apidocs.errors import ConfigError, FetchError
from sphinx_apidocs.spec import FetchOptions
from sphinx_apidocs.spec.fetch import Fetcher
from sphinx_apidocs.spec.sources import load_documents

sys.path.insert(0, str(Path(__file__).resolve().parent / "sphinx_projects"))
from buildtools import sphinx_build  # noqa: E402

TOKEN = "tok-Secret-7f3a9c"
PASSWORD = "pw-Secret-19e2"
API_KEY = "key-Secret-55d1"
SECRETS = (TOKEN, PASSWORD, API_KEY)
BASIC = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()


def pets_routes(prefix: str = "/api-docs", **kwargs: Any) -> dict[str, Route]:
    return {prefix: Route.json(LISTING, **kwargs), f"{prefix}/pets.json": Route.json(PETS, **kwargs)}


def received(server: ScriptedServer) -> str:
    """Everything a server was sent (paths and headers), for "no secret arrived" checks."""
    return json.dumps(server.requests)


def with_credentials(base: str, path: str = "/api-docs") -> str:
    return base.replace("://", f"://alice:{PASSWORD}@") + f"{path}?api_key={API_KEY}"


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


# -- credentials stay on their origin ---------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_gets_no_credentials(status: int, capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/moved": Route.json(LISTING)}) as other:
        redirect = {"/api-docs": Route(redirect=other.base + "/moved", redirect_status=status),
                    "/api-docs/pets.json": Route.json(PETS)}
        with scripted_server(redirect) as origin:
            args = ["validate", with_credentials(origin.base), "--header", f"X-Api-Token: {TOKEN}"]
            code, out, err, elapsed = run_cli(args, capsys)
    assert code == 0, err
    assert out == f"{origin.base}/api-docs?api_key=***: valid Swagger 1.2: 1 resources, 1 operations\n"
    # The configured origin got the header and the Basic credentials of the URL (twice:
    # the listing, then the declaration, relative to the URL as configured)...
    for _, headers in origin.requests:
        assert headers["X-Api-Token"] == TOKEN and headers["Authorization"] == BASIC
    # ...the other origin (same host, another port) got neither.
    assert [path for path, _ in other.requests] == ["/moved"]
    assert "X-Api-Token" not in received(other) and "Authorization" not in received(other)
    assert_no_secret(received(other), out, err)
    assert elapsed < 5


def test_a_redirect_within_the_origin_keeps_the_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    routes = pets_routes(require_header=("X-Api-Token", TOKEN))
    routes["/old-docs"] = Route(redirect="/api-docs", redirect_status=308)
    routes["/old-docs/pets.json"] = Route(redirect="", redirect_status=301)
    with scripted_server(routes) as server:
        routes["/old-docs/pets.json"].redirect = server.base + "/api-docs/pets.json"  # absolute, same origin
        code, out, err, _ = run_cli(["validate", server.base + "/old-docs", "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code == 0, err
    assert [path for path, _ in server.requests] == ["/old-docs", "/api-docs", "/old-docs/pets.json", "/api-docs/pets.json"]
    assert [h.get("X-Api-Token") for _, h in server.requests] == [TOKEN] * 4
    assert [h.get("Accept-Encoding") for _, h in server.requests] == ["identity"] * 4


def test_a_401_after_a_cross_origin_redirect_says_the_credentials_were_withheld(capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server(pets_routes(require_header=("X-Api-Token", TOKEN))) as other:
        with scripted_server({"/api-docs": Route(redirect=other.base + "/api-docs")}) as origin:
            code, out, err, _ = run_cli(["validate", origin.base + "/api-docs", "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code == 1 and out == ""
    assert one_error(err) == (
        f"{origin.base}/api-docs: HTTP 401 Unauthorized (credentials are not sent to {other.base}, "
        "another origin than the one they are configured for)"
    )
    assert TOKEN not in received(other)


def test_listing_entries_on_another_origin_are_fetched_without_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/decl/pets.json": Route.json(PETS)}) as other:
        listing = {"swaggerVersion": "1.2", "apis": [{"path": other.base + "/decl/pets.json"}]}
        with scripted_server({"/api-docs": Route.json(listing)}) as origin:
            url = with_credentials(origin.base)
            code, out, err, _ = run_cli(["validate", url, "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code == 0, err
    assert origin.requests[0][1]["X-Api-Token"] == TOKEN
    assert [path for path, _ in other.requests] == ["/decl/pets.json"]  # fetched: a public URL
    assert "X-Api-Token" not in received(other) and "Authorization" not in received(other)
    assert_no_secret(received(other), out, err)


def test_an_entry_with_its_own_user_info_sends_it_only_to_its_own_origin(capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/decl/pets.json": Route.json(PETS, require_header=("Authorization", BASIC))}) as other:
        entry = with_credentials(other.base, "/decl/pets.json")
        with scripted_server({"/api-docs": Route.json({"swaggerVersion": "1.2", "apis": [{"path": entry}]})}) as origin:
            code, _, err, _ = run_cli(["validate", origin.base + "/api-docs", "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code == 0, err
    assert "Authorization" not in received(origin) and origin.requests[0][1]["X-Api-Token"] == TOKEN
    assert other.requests[0][1]["Authorization"] == BASIC  # the entry's own credentials, to its own origin
    assert "X-Api-Token" not in received(other)  # but not the ones configured for the listing's origin


def test_a_ref_to_another_origin_is_refused_before_any_request(capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/specs/pet.json": Route.json({"type": "object"})}) as other:
        ref = with_credentials(other.base, "/specs/pet.json")  # the message must not show these
        root = {
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": {"$ref": ref}}}}}}}},
        }
        with scripted_server({"/specs/openapi.json": Route.json(root)}) as origin:
            url = origin.base + "/specs/openapi.json"
            code, _, err, _ = run_cli(["validate", url, "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{url}#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: reference "
        f"'{other.base}/specs/pet.json?api_key=***' leaves the spec's URL base {origin.base}/specs/; refused"
    )
    assert other.requests == []
    assert_no_secret(err)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return str(cert), str(key)


@pytest.fixture()
def trusted_tls(tls_files: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("SSL_CERT_FILE", tls_files[0])
    return tls_files


def test_https_works_and_an_https_to_http_redirect_is_refused(trusted_tls: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server(pets_routes()) as plain:
        routes = {**pets_routes(), "/down": Route(redirect=plain.base + "/api-docs", redirect_status=301)}
        with scripted_server(routes, tls=trusted_tls) as secure:
            code, _, err, _ = run_cli(["validate", secure.base + "/api-docs", "--header", f"X-Api-Token: {TOKEN}"], capsys)
            assert code == 0, err
            assert secure.requests[0][1]["X-Api-Token"] == TOKEN
            code, out, err, elapsed = run_cli(["validate", with_credentials(secure.base, "/down"),
                                               "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code == 1 and out == ""
    assert one_error(err) == (
        f"{secure.base}/down?api_key=***: refusing the redirect from https to http "
        f"({plain.base}/api-docs): it would drop encryption"
    )
    assert plain.requests == []
    assert_no_secret(err)
    assert elapsed < 5


@pytest.mark.parametrize("location, scheme", [
    ("ftp://127.0.0.1/api-docs", "ftp"),
    ("file:///etc/passwd", "file"),
    ("gopher://127.0.0.1:70/x", "gopher"),
    ("data:application/json,{}", "data"),
    ("javascript:alert(1)", "javascript"),
])
def test_redirects_to_other_schemes_are_refused_and_named(location: str, scheme: str, capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/api-docs": Route(redirect=location)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{server.base}/api-docs: refusing the redirect to a {scheme!r} URL ({location}): only http and https are followed"
    )
    assert server.hits("/api-docs") == 1


def test_a_redirect_location_keeps_its_secrets_out_of_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    location = f"ftp://bob:{PASSWORD}@127.0.0.1/x?token={TOKEN}&page=2"
    with scripted_server({"/api-docs": Route(redirect=location)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{server.base}/api-docs: refusing the redirect to a 'ftp' URL (ftp://127.0.0.1/x?token=***&page=2): "
        "only http and https are followed"
    )


@pytest.mark.parametrize("location, problem", [
    ("http://127.0.0.1:99999/api-docs", "port 99999 is out of range (1-65535)"),
    ("http://h:port/api-docs", "port 'port' is not a number"),
    ("http://[::1/api-docs", "bad host (invalid IPv6 URL)"),
    ("http://[zz]/api-docs", "bad host"),
])
def test_a_redirect_to_a_malformed_url_is_one_line(location: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/api-docs": Route(redirect=location)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err).startswith(f"{server.base}/api-docs: redirect to an invalid URL {location!r}: {problem}")


def test_a_redirect_without_location_and_a_loop(capsys: pytest.CaptureFixture[str]) -> None:
    routes = {"/nowhere": Route(status=302, body=b""), "/a": Route(redirect="/b"), "/b": Route(redirect="/a")}
    with scripted_server(routes) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/nowhere"], capsys)
        assert code == 1 and one_error(err) == f"{server.base}/nowhere: HTTP 302 redirect without a Location header"
        code, _, err, _ = run_cli(["validate", server.base + "/a"], capsys)
        assert code == 1 and one_error(err) == f"{server.base}/a: too many redirects (limit 5)"
        assert server.hits("/a") + server.hits("/b") == 6


# -- a whole-request deadline -------------------------------------------------------------------


def test_a_trickling_body_stops_at_the_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    # One byte every 0.15 s never trips the 0.4 s read timeout; the 2.4 s deadline
    # (6 x the timeout) stops the fetch of a body that would take ~30 s.
    body = json.dumps(LISTING).encode() + b" " * 100
    with scripted_server({"/api-docs": Route(body=body, trickle=0.15)}) as server:
        code, out, err, elapsed = run_cli(["validate", server.base + "/api-docs", "--timeout", "0.4"], capsys)
    assert code == 1 and out == ""
    assert re.fullmatch(
        re.escape(f"{server.base}/api-docs: deadline of 2.4 s for the whole request exceeded while reading the response (")
        + r"\d+ bytes received\)",
        one_error(err),
    ), err
    assert 2.3 < elapsed < 4


def test_trickling_headers_stop_at_the_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/api-docs": Route.json(LISTING, trickle=0.15, trickle_headers=True)}) as server:
        code, _, err, elapsed = run_cli(["validate", server.base + "/api-docs", "--timeout", "0.4"], capsys)
    assert code == 1
    assert one_error(err) == f"{server.base}/api-docs: deadline of 2.4 s for the whole request exceeded while waiting for the response"
    assert 2.3 < elapsed < 4


def test_the_deadline_also_bounds_retries() -> None:
    # Each attempt: a 503 after 0.6 s. Ten retries would take ~8 s; the deadline is 1.5 s.
    options = FetchOptions(timeout=1, deadline=1.5, retries=10, backoff=0.1)
    with scripted_server({"/api-docs": Route(status=503, body=b"busy", delay=0.6)}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError) as excinfo:
            load_documents(server.base + "/api-docs", options)
        elapsed = time.monotonic() - started
    message = str(excinfo.value)
    assert message.startswith(f"{server.base}/api-docs: ") and "deadline of 1.5 s" in message and "\n" not in message
    assert elapsed < 2.5 and server.hits("/api-docs") <= 3


def test_the_default_deadline_is_six_times_the_timeout() -> None:
    assert FetchOptions().effective_deadline == 60
    assert FetchOptions(timeout=2).effective_deadline == 12
    assert FetchOptions(timeout=2, deadline=5).effective_deadline == 5


# -- compressed bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("coding, compress", [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
])
def test_identity_is_asked_for_and_gzip_or_deflate_is_still_decoded(coding: str, compress: Any, capsys: pytest.CaptureFixture[str]) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": coding}
    routes = {"/api-docs": Route(body=compress(json.dumps(LISTING).encode()), headers=headers),
              "/api-docs/pets.json": Route(body=compress(json.dumps(PETS).encode()), headers=headers)}
    with scripted_server(routes) as server:
        code, out, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 0, err
    assert out == f"{server.base}/api-docs: valid Swagger 1.2: 1 resources, 1 operations\n"
    assert [h.get("Accept-Encoding") for _, h in server.requests] == ["identity", "identity"]


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(capsys: pytest.CaptureFixture[str]) -> None:
    bomb = gzip.compress(b"[" + b" " * (200 * 1024 * 1024), compresslevel=9)  # ~200 KB -> 200 MB
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with scripted_server({"/api-docs": Route(body=bomb, headers=headers)}) as server:
        tracemalloc.start()
        try:
            code, _, err, elapsed = run_cli(["validate", server.base + "/api-docs", "--max-bytes", "1000000"], capsys)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert code == 1
    assert one_error(err) == f"{server.base}/api-docs: response exceeds the 1000000-byte cap after gzip decompression"
    assert peak < 8 * 1024 * 1024 and elapsed < 5


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br"])
def test_an_encoding_that_cannot_be_decoded_is_named(coding: str, capsys: pytest.CaptureFixture[str]) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": coding}
    with scripted_server({"/api-docs": Route(body=b"\x8b\x05\x80{}\x03", headers=headers)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{server.base}/api-docs: the response is compressed (Content-Encoding: {coding}), which cannot be decoded; "
        "the server should honour 'Accept-Encoding: identity' (gzip and deflate are decoded)"
    )


def test_gzip_bytes_without_content_encoding_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server({"/api-docs": Route(body=gzip.compress(json.dumps(LISTING).encode()))}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err) == f"{server.base}/api-docs: gzip-compressed data that no Content-Encoding announces, expected JSON text"


def test_a_corrupt_gzip_body_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with scripted_server({"/api-docs": Route(body=gzip.compress(b"{}")[:-6], headers=headers)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err).startswith(f"{server.base}/api-docs: cannot decompress the gzip response: ")


# -- malformed URLs, from the user or from the endpoint ----------------------------------------

BAD_URLS = [
    ("http://127.0.0.1:99999/api-docs", "port 99999 is out of range (1-65535)"),
    ("http://127.0.0.1:0/api-docs", "port 0 is out of range (1-65535)"),
    ("http://h:port/api-docs", "port 'port' is not a number"),
    ("http://[::1/api-docs", "bad host (invalid IPv6 URL)"),
    ("http://[zz]/api-docs", "bad host"),
    ("http:///api-docs", "no host name"),
    ("http://exa mple.com/api-docs", "bad host name (a space, control or reserved character)"),
]


@pytest.mark.parametrize("url, problem", BAD_URLS)
def test_a_malformed_source_url_is_one_line(url: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err, elapsed = run_cli(["validate", url], capsys)
    assert code == 1 and out == ""
    assert one_error(err).startswith(f"{url}: invalid URL: {problem}")
    assert elapsed < 1


def test_a_malformed_source_url_does_not_show_its_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err, _ = run_cli(["validate", f"http://alice:{PASSWORD}@127.0.0.1:99999/x?api_key={API_KEY}"], capsys)
    assert code == 1
    assert one_error(err) == "http://127.0.0.1:99999/x?api_key=***: invalid URL: port 99999 is out of range (1-65535)"


def test_malformed_listing_entries_name_the_listing_and_pointer(capsys: pytest.CaptureFixture[str]) -> None:
    entries = [{"path": "/ok.json"}] + [{"path": url} for url, _ in BAD_URLS[:5]] + [{"path": "ftp://127.0.0.1/x.json"}]
    listing = {"swaggerVersion": "1.2", "apis": entries}
    with scripted_server({"/api-docs": Route.json(listing)}) as server:
        code, _, err, elapsed = run_cli(["validate", server.base + "/api-docs?key=" + API_KEY], capsys)
    assert code == 1
    lines = err.splitlines()
    where = f"error: {server.base}/api-docs?key=***#/apis"
    assert lines[:4] == [f"{where}/{i + 1}/path: invalid URL {url!r}: {problem}" for i, (url, problem) in enumerate(BAD_URLS[:4])]
    assert lines[4].startswith(f"{where}/5/path: invalid URL 'http://[zz]/api-docs': bad host")
    assert lines[5] == f"{where}/6/path: invalid URL 'ftp://127.0.0.1/x.json': unsupported scheme 'ftp' (only http and https)"
    assert len(lines) == 6 and server.hits("/api-docs/ok.json") == 0
    assert API_KEY not in err and elapsed < 2


@pytest.mark.parametrize("url, problem", BAD_URLS[:5])
def test_malformed_ref_urls_name_the_document_and_pointer(url: str, problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": url + "#/Pet"}}}}}}}},
    }
    with scripted_server({"/specs/openapi.json": Route.json(root)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/specs/openapi.json"], capsys)
    assert code == 1
    assert one_error(err).startswith(
        f"{server.base}/specs/openapi.json#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: "
        f"invalid URL {url!r}: {problem}"
    )


def test_spaces_and_non_ascii_in_entry_paths_are_escaped_not_fatal(capsys: pytest.CaptureFixture[str]) -> None:
    listing = {"swaggerVersion": "1.2", "apis": [{"path": "/pets list.json"}, {"path": "/zoo-é.json"}]}
    zoo = {**PETS, "resourcePath": "/zoo"}
    routes = {"/api-docs": Route.json(listing), "/api-docs/pets%20list.json": Route.json(PETS),
              "/api-docs/zoo-%C3%A9.json": Route.json(zoo)}
    with scripted_server(routes) as server:
        code, out, err, _ = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 0, err
    assert out.endswith(": valid Swagger 1.2: 2 resources, 2 operations\n")


# -- headers checked up front ----------------------------------------------------------------------


@pytest.mark.parametrize("argument, message", [
    ("X-Key\n: v", "--header: 'X-Key\\n' is not a valid HTTP header name"),
    ("X-Key\r: v", "--header: 'X-Key\\r' is not a valid HTTP header name"),
    ("X Key: v", "--header: 'X '... is not a valid HTTP header name"),
    ("X-Kéy: v", "--header: 'X-Ké'... is not a valid HTTP header name"),
    (": v", "--header: '' is not a valid HTTP header name"),
    ("X-Key: a\r\nInjected: yes", "--header['X-Key']: the value contains a line break"),
    ("X-Key: a\x00b", "--header['X-Key']: the value contains a control character"),
    ("X-Key: 5 €", "--header['X-Key']: the value contains a character outside Latin-1 "
                   "(HTTP header values are bytes; percent-encode it)"),
    ("Content-Length: 5", "--header: 'Content-Length' is set by the HTTP client itself; remove it"),
    ("Bearer abc123", "--header: expected 'Name: value' (no ':' in the argument)"),
])
def test_bad_header_arguments_fail_before_any_request(argument: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server(pets_routes()) as server:
        code, out, err, elapsed = run_cli(["validate", server.base + "/api-docs", "--header", argument], capsys)
    assert code == 1 and out == ""
    assert one_error(err) == message
    assert server.requests == [] and elapsed < 1
    assert "abc123" not in err and "Injected" not in err


def test_an_environment_variable_with_a_line_break_is_named(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIDOCS_TEST_TOKEN", f"{TOKEN}\r\nX-Evil: 1")
    with scripted_server(pets_routes()) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs", "--header", "X-Api-Token: ${APIDOCS_TEST_TOKEN}"], capsys)
    assert code == 1
    assert one_error(err) == "header 'X-Api-Token': the value contains a line break (from environment variable APIDOCS_TEST_TOKEN)"
    assert server.requests == [] and TOKEN not in err


def test_a_fetcher_without_origin_binds_headers_to_each_url() -> None:
    with scripted_server({"/x.json": Route.json(PETS)}) as one, scripted_server({"/x.json": Route.json(PETS)}) as two:
        fetcher = Fetcher(FetchOptions(headers={"X-Api-Token": TOKEN}), origin=one.base + "/api-docs")
        fetcher.fetch(one.base + "/x.json")
        fetcher.fetch(two.base + "/x.json")
        Fetcher(FetchOptions(headers={"X-Api-Token": TOKEN})).fetch(two.base + "/x.json")
    assert one.requests[0][1]["X-Api-Token"] == TOKEN
    assert [h.get("X-Api-Token") for _, h in two.requests] == [None, TOKEN]


# -- secrets at rest: CLI output and snapshots ---------------------------------------------------


def secured_routes() -> dict[str, Route]:
    routes = pets_routes(require_header=("Authorization", BASIC))
    return routes


def test_secrets_never_reach_output_or_snapshot_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server(secured_routes()) as server:
        url = with_credentials(server.base)
        code, out, err, _ = run_cli(["snapshot", url, "-o", str(tmp_path / "snap"), "--header", f"X-Api-Token: {TOKEN}"], capsys)
        assert code == 0, err
        assert all(API_KEY in path for path, _ in server.requests)  # the key is sent, of course
        server.routes["/api-docs/pets.json"] = Route(status=500, body=b"")
        code2, out2, err2, _ = run_cli(["validate", url, "--header", f"X-Api-Token: {TOKEN}"], capsys)
    assert code2 == 1
    assert one_error(err2) == f"{server.base}/api-docs/pets.json?api_key=***: HTTP 500 Internal Server Error"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written
    for path in written:
        assert_no_secret(path.read_text(errors="replace"), str(path))
    assert_no_secret(out, err, out2, err2)


# -- secrets at rest: a real sphinx-build --------------------------------------------------------

SPHINX_CONF = """\
extensions = ["sphinx_apidocs"]
project = "secrets"
apidocs_spec = {spec!r}
apidocs_filters = ""
apidocs_snapshot = "_apidocs_snapshot"
apidocs_headers = {{"X-Api-Token": {token!r}, "X-From-Env": "${{APIDOCS_TEST_TOKEN}}"}}
"""


def sphinx_project(tmp_path: Path, spec: str, token: str = TOKEN, extra: str = "") -> Path:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(SPHINX_CONF.format(spec=spec, token=token) + extra)
    (src / "index.rst").write_text("Pets\n====\n\n.. api:spec::\n\n.. api:resource:: /pets\n")
    return src


def files_below(folder: Path) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file())


def test_sphinx_build_keeps_every_secret_out_of_the_output_and_the_environment(tmp_path: Path) -> None:
    env_token = "envtok-Secret-0b1c"
    routes = pets_routes(require_header=("Authorization", BASIC))
    with scripted_server(routes) as server:
        src = sphinx_project(tmp_path, with_credentials(server.base))
        out = tmp_path / "out"
        first = sphinx_build(["-W", "-b", "html", str(src), str(out)], env={"APIDOCS_TEST_TOKEN": env_token})
        second = sphinx_build(["-W", "-b", "html", str(src), str(out)], env={"APIDOCS_TEST_TOKEN": env_token})
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "config changed" not in second.stdout  # the redacted config value is stable
    assert [h.get("X-Api-Token") for _, h in server.requests] == [TOKEN] * 4
    assert [h.get("X-From-Env") for _, h in server.requests] == [env_token] * 4
    pickle = out / ".doctrees" / "environment.pickle"
    assert pickle.is_file() and (out / "index.html").is_file()
    assert f"{server.base}/api-docs?api_key=***".encode() in pickle.read_bytes()  # redacted, not gone
    written = [*files_below(out), *files_below(src / "_apidocs_snapshot")]
    for path in written:
        data = path.read_bytes()
        for secret in (*SECRETS, env_token, "alice"):
            assert secret.encode() not in data, (secret, path)
    for stream in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert_no_secret(stream)


def test_version_spec_urls_keep_their_secrets_out_of_the_output_and_the_environment(tmp_path: Path) -> None:
    """``apidocs_versions`` spec URLs carry credentials as ``apidocs_spec`` does: sent to their
    origin only, redacted in the pickled config, absent from every output and snapshot file."""
    routes = pets_routes(require_header=("Authorization", BASIC))
    with scripted_server(routes) as server:
        src = sphinx_project(tmp_path, "", extra=(
            f"apidocs_versions = {{'v1': {{'spec': {with_credentials(server.base)!r}, 'pages': 'api/v1'}}}}\n"
        ))
        (src / "index.rst").write_text("Pets\n====\n\n.. toctree::\n\n   api/v1/index\n\n:api:res:`v1:/pets`\n")
        out = tmp_path / "out"
        first = sphinx_build(["-W", "-b", "html", str(src), str(out)], env={"APIDOCS_TEST_TOKEN": "x"})
        second = sphinx_build(["-W", "-b", "html", str(src), str(out)], env={"APIDOCS_TEST_TOKEN": "x"})
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "config changed" not in second.stdout
    assert all(API_KEY in path for path, _ in server.requests) and len(server.requests) == 4
    pickle = out / ".doctrees" / "environment.pickle"
    assert f"{server.base}/api-docs?api_key=***".encode() in pickle.read_bytes()
    written = [*files_below(out), *(p for p in files_below(src) if p.name != "conf.py")]  # conf.py holds them, of course
    assert any(path.name == "pets.html" for path in written) and any("_apidocs_snapshot-v1" in str(p) for p in written)
    for path in written:
        data = path.read_bytes()
        for secret in (*SECRETS, "alice"):
            assert secret.encode() not in data, (secret, path)
    for stream in (first.stdout, first.stderr, second.stdout, second.stderr):
        assert_no_secret(stream)


def test_sphinx_build_errors_show_redacted_urls(tmp_path: Path) -> None:
    with scripted_server({"/api-docs": Route(status=500, body=b"")}) as server:
        src = sphinx_project(tmp_path, with_credentials(server.base))
        done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")], env={"APIDOCS_TEST_TOKEN": "x"})
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert errors == [f"ERROR: cannot load the API spec: {server.base}/api-docs?api_key=***: HTTP 500 Internal Server Error"]
    assert_no_secret(done.stdout, done.stderr)


def test_sphinx_deadline_setting_stops_a_trickling_endpoint(tmp_path: Path) -> None:
    body = json.dumps(LISTING).encode() + b" " * 200
    with scripted_server({"/api-docs": Route(body=body, trickle=0.1)}) as server:
        src = sphinx_project(tmp_path, server.base + "/api-docs", extra="apidocs_timeout = 0.5\napidocs_deadline = 1.5\n")
        started = time.monotonic()
        done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")], env={"APIDOCS_TEST_TOKEN": "x"})
        elapsed = time.monotonic() - started
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "Traceback" not in done.stderr
    assert re.fullmatch(
        re.escape(f"ERROR: cannot load the API spec: {server.base}/api-docs: deadline of 1.5 s for the whole request "
                  "exceeded while reading the response (") + r"\d+ bytes received\)",
        errors[0],
    ), errors[0]
    assert elapsed < 15


@pytest.mark.parametrize("conf, message", [
    ('apidocs_headers = {"X-Key\\n": "v"}', "apidocs_headers: 'X-Key\\n' is not a valid HTTP header name"),
    ('apidocs_headers = {"X-Key:": "v"}', "apidocs_headers: 'X-Key:' is not a valid HTTP header name"),
    ('apidocs_headers = {"X-Key ": "v"}', "apidocs_headers: 'X-Key ' is not a valid HTTP header name"),
    ('apidocs_headers = {"X-Key": "a\\r\\nb"}', "apidocs_headers['X-Key']: the value contains a line break"),
    ('apidocs_headers = {"X-Key": "5 €"}', "apidocs_headers['X-Key']: the value contains a character outside Latin-1"),
    ('apidocs_headers = {"X-Key": "a", "x-key": "b"}',
     "apidocs_headers['x-key']: the same header as 'X-Key' (header names ignore case); keep one"),
    ('apidocs_spec = "http://127.0.0.1:99999/api-docs"',
     "apidocs_spec: invalid URL 'http://127.0.0.1:99999/api-docs': port 99999 is out of range (1-65535)"),
    ('apidocs_spec = "http://[::1/api-docs"', "apidocs_spec: invalid URL 'http://[::1/api-docs': bad host (invalid IPv6 URL)"),
    ('apidocs_deadline = -1', "apidocs_deadline: expected a number of seconds (0: 6 x apidocs_timeout), got int -1"),
])
def test_bad_settings_stop_sphinx_at_config_time(conf: str, message: str, tmp_path: Path) -> None:
    with scripted_server(pets_routes()) as server:
        src = sphinx_project(tmp_path, server.base + "/api-docs", extra=conf + "\n")
        done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")], env={"APIDOCS_TEST_TOKEN": "x"})
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert server.requests == []


def test_a_listing_with_too_many_entries_is_refused_before_fetching_them(capsys: pytest.CaptureFixture[str]) -> None:
    listing = {"swaggerVersion": "1.2", "apis": [{"path": f"/r{i}.json"} for i in range(1001)]}
    with scripted_server({"/api-docs": Route.json(listing)}) as server:
        code, _, err, elapsed = run_cli(["validate", server.base + "/api-docs"], capsys)
    assert code == 1
    assert one_error(err) == f"{server.base}/api-docs#/apis: lists 1001 API declarations, more than the 1000 fetched at most"
    assert len(server.requests) == 1 and elapsed < 3


@pytest.mark.parametrize("option, value, message", [
    ("--timeout", "0", "timeout: expected a number of seconds greater than 0, got 0.0"),
    ("--timeout", "-1", "timeout: expected a number of seconds greater than 0, got -1.0"),
    ("--timeout", "nan", "timeout: expected a number of seconds greater than 0, got nan"),
    ("--timeout", "inf", "timeout: expected a number of seconds greater than 0, got inf"),
    ("--max-bytes", "0", "max_bytes: expected a number of bytes greater than 0, got 0"),
])
def test_unusable_limits_are_one_line_before_any_request(option: str, value: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with scripted_server(pets_routes()) as server:
        code, out, err, elapsed = run_cli(["validate", server.base + "/api-docs", option, value], capsys)
    assert code == 1 and out == ""
    assert one_error(err) == message
    assert server.requests == [] and elapsed < 1


def test_an_unusable_deadline_option_is_refused() -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_documents("http://127.0.0.1:9/api-docs", FetchOptions(deadline=float("nan")))
    assert str(excinfo.value) == "deadline: expected a number of seconds greater than 0 (or 0 for 6 x the timeout), got nan"
