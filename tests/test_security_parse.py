"""Trust in what is parsed and shown: URL redaction (a property over random URLs), hostile
numbers and nesting in JSON/YAML, values YAML can't construct, and one confinement rule for
folder scans and ``$ref`` targets.

Each hostile document is fed through the real CLI (files, and a loopback server) or a real
``sphinx-build``; the tests assert the exit status, the exact one-line message with its place,
a time bound and that no traceback is printed.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tracemalloc
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_helpers import one_error, run_cli
from httpserver import Route, scripted_server
from sphinx_apidocs.errors import FetchError
from sphinx_apidocs.spec.fetch import MAX_DEPTH, is_secret_key, redact_url
from sphinx_apidocs.spec.serve import find_listing

sys.path.insert(0, str(Path(__file__).resolve().parent / "sphinx_projects"))
from buildtools import sphinx_build  # noqa: E402

DECLARATION = {
    "swaggerVersion": "1.2",
    "basePath": "https://api.example.com",
    "resourcePath": "/pets",
    "apis": [{"path": "/pets", "operations": [{"method": "GET", "nickname": "list-pets", "type": "void"}]}],
}
OPENAPI_YAML = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
LIMIT = sys.get_int_max_str_digits()


# -- redaction: one function, for every URL shown or stored ----------------------------------

SECRET_KEYS = [
    "api_key", "apikey", "apiKey", "key", "token", "access_token", "refresh_token", "id_token", "secret",
    "client_secret", "password", "passwd", "signature", "sig", "auth", "Authorization", "X-Amz-Signature",
    "X-Amz-Security-Token", "X-Amz-Credential", "private_key", "session_id", "jwt", "code", "subscription-key",
]
PLAIN_KEYS = ["page", "limit", "format", "lang", "sort", "version", "q"]
MARK = "Zq7"  # every generated secret starts with it: no accidental match with the rest of the URL

secret_text = st.text(min_size=4, max_size=24).map(lambda text: MARK + text)
raw_password = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?#%"), min_size=4, max_size=24
).map(lambda text: MARK + text)
cased_key = st.tuples(st.sampled_from(SECRET_KEYS), st.sampled_from([str, str.lower, str.upper])).map(lambda p: p[1](p[0]))


@given(user=st.text(max_size=12), password=secret_text, key=cased_key, value=secret_text,
       plain=st.sampled_from(PLAIN_KEYS), port=st.integers(1, 65535), fragment=st.booleans())
def test_redaction_never_shows_a_secret_and_is_stable(
    user: str, password: str, key: str, value: str, plain: str, port: int, fragment: bool
) -> None:
    quoted_password = urllib.parse.quote(password, safe="")
    quoted_value = urllib.parse.quote(value, safe="")
    url = (
        f"https://{urllib.parse.quote(user, safe='')}:{quoted_password}@api.example.com:{port}/v1/api-docs"
        f"?{plain}=2&{key}={quoted_value}" + (f"#access_token={quoted_value}" if fragment else "")
    )
    shown = redact_url(url)
    for secret in (password, quoted_password, value, quoted_value, MARK):
        assert secret not in shown
    assert shown.startswith(f"https://api.example.com:{port}/v1/api-docs?{plain}=2&{key}=***")
    assert redact_url(shown) == shown and redact_url(url) == shown


@given(user=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="?#%/@"), max_size=8),
       password=raw_password, host=st.sampled_from(["127.0.0.1", "api.example.com", "[::1]"]), path=st.text(max_size=12))
def test_redaction_copes_with_unencoded_passwords(user: str, password: str, host: str, path: str) -> None:
    # '/', '@' and ':' typed into a password without percent-encoding still never show.
    url = f"http://{user}:{password}@{host}/{urllib.parse.quote(path)}"
    shown = redact_url(url)
    assert MARK not in shown and password not in shown
    assert redact_url(shown) == shown


@given(st.text(max_size=80))
def test_redaction_never_raises_and_is_idempotent(text: str) -> None:
    for candidate in (text, "http://" + text, "https://u:p@" + text):
        shown = redact_url(candidate)
        assert redact_url(shown) == shown


def test_redaction_examples() -> None:
    assert redact_url("specs/api-docs.json") == "specs/api-docs.json"
    assert redact_url("http://h:99999/x?api_key=1&page=2") == "http://h:99999/x?api_key=***&page=2"
    assert redact_url("http://[::1/x?token=1") == "http://[::1/x?token=***"
    assert redact_url("https://u:p@h/x?a=1;sig=2#/paths/x") == "https://h/x?a=1;sig=***#/paths/x"
    assert redact_url("https://u:pa/ss@h/x") == "https://h/x"
    assert redact_url("https://u:pa?ss@h/x?key=9") == "https://h/x?key=***"
    assert redact_url("http://h/x?token") == "http://h/x?token"  # no value, nothing to hide
    assert [k for k in SECRET_KEYS if not is_secret_key(k)] == []
    assert [k for k in PLAIN_KEYS if is_secret_key(k)] == []


# -- numbers longer than Python converts --------------------------------------------------------


def test_a_huge_json_integer_names_its_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.json").write_text(json.dumps({**DECLARATION, "x-big": 1}).replace('"x-big": 1', '"x-big": ' + "7" * LIMIT))
    code, _, err, _ = run_cli(["validate", str(tmp_path / "ok.json")], capsys)
    assert code == 0, err  # up to the limit: still a number
    digits = LIMIT + 700
    declaration = {**DECLARATION, "apis": [{"path": "/pets", "operations": [
        {"method": "GET", "nickname": "list-pets", "type": "integer", "maximum": 7}]}]}
    text = json.dumps(declaration).replace('"maximum": 7', '"maximum": ' + "9" * digits)
    (tmp_path / "pets.json").write_text(text)
    code, out, err, elapsed = run_cli(["validate", str(tmp_path / "pets.json")], capsys)
    assert code == 1 and out == ""
    assert one_error(err) == (
        f"{tmp_path / 'pets.json'}#/apis/0/operations/0/maximum: "
        f"integer of {digits} digits is too large (the limit is {LIMIT} digits)"
    )
    assert elapsed < 2


def test_a_huge_negative_integer_over_http_names_the_url_and_pointer(capsys: pytest.CaptureFixture[str]) -> None:
    body = json.dumps({**DECLARATION, "x-big": [1, 2, 3]}).replace("[1, 2, 3]", "[1, -" + "1" * (LIMIT + 1) + "]")
    with scripted_server({"/api-docs": Route(body=body.encode())}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/api-docs?api_key=abc"], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{server.base}/api-docs?api_key=***#/x-big/1: integer of {LIMIT + 1} digits is too large (the limit is {LIMIT} digits)"
    )


@pytest.mark.parametrize("scalar", ["9" * (LIMIT + 1), "-" + "9" * (LIMIT + 1), "!!int '" + "9" * (LIMIT + 1) + "'",
                                    "1_" + "0" * (LIMIT + 1), "0x" + "f" * (LIMIT - 300)])
def test_a_huge_yaml_integer_names_its_line_and_column(scalar: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "openapi.yaml").write_text(OPENAPI_YAML + "x-numbers:\n  small: 1\n  big: " + scalar + "\n")
    code, _, err, elapsed = run_cli(["validate", str(tmp_path / "openapi.yaml")], capsys)
    assert code == 1
    message = one_error(err)
    assert message.startswith(f"{tmp_path / 'openapi.yaml'}: invalid YAML at line 6 column 8: integer of ")
    assert message.endswith(f"digits is too large (the limit is {LIMIT} digits)")
    assert elapsed < 2


def test_sphinx_build_reports_a_huge_integer_in_one_line(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "openapi.yaml").write_text(OPENAPI_YAML + "x-big: " + "9" * (LIMIT + 1) + "\n")
    (src / "conf.py").write_text('extensions = ["sphinx_apidocs"]\napidocs_spec = "openapi.yaml"\n')
    (src / "index.rst").write_text("API\n===\n\n.. api:spec::\n")
    done = sphinx_build(["-b", "html", str(src), str(tmp_path / "out")])
    assert done.returncode == 2 and "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert errors == [
        f"ERROR: cannot load the API spec: {src / 'openapi.yaml'}: invalid YAML at line 4 column 8: "
        f"integer of {LIMIT + 1} digits is too large (the limit is {LIMIT} digits)"
    ]


# -- nesting deeper than anything downstream copes with -------------------------------------------


def nested(levels: int) -> object:
    value: object = {"type": "string"}
    for _ in range(levels):
        value = {"type": "array", "items": value}
    return value


def test_json_nested_past_the_limit_names_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = {**DECLARATION, "x-deep": nested(MAX_DEPTH)}
    (tmp_path / "pets.json").write_text(json.dumps(document))
    code, _, err, elapsed = run_cli(["validate", str(tmp_path / "pets.json")], capsys)
    assert code == 1
    pointer = "/x-deep" + "/items" * (MAX_DEPTH - 1)  # the root is level 1: 100 steps down is level 101
    assert one_error(err) == f"{tmp_path / 'pets.json'}#{pointer}: nested more than {MAX_DEPTH} levels deep; refusing"
    assert elapsed < 2


@pytest.mark.parametrize("text", [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
def test_json_nested_past_the_parser_is_one_line_with_bounded_memory(text: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deep.json").write_bytes(text)
    tracemalloc.start()
    try:
        code, _, err, elapsed = run_cli(["validate", str(tmp_path / "deep.json")], capsys)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 1
    assert one_error(err) == f"{tmp_path / 'deep.json'}: nested more than {MAX_DEPTH} levels deep; refusing"
    assert elapsed < 3 and peak < 20 * 1024 * 1024


def test_an_openapi_schema_nested_past_the_limit_is_refused_not_a_crash(capsys: pytest.CaptureFixture[str]) -> None:
    # Before the limit: 300 nested schemas made the validator exhaust the stack (RecursionError).
    root = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": nested(300)}}}}}}}}
    with scripted_server({"/openapi.json": Route.json(root)}) as server:
        code, _, err, _ = run_cli(["validate", server.base + "/openapi.json"], capsys)
    assert code == 1
    message = one_error(err)
    assert message.startswith(f"{server.base}/openapi.json#/paths/~1x/get/responses/200/content/application~1json/schema/items/")
    assert message.endswith(f": nested more than {MAX_DEPTH} levels deep; refusing")


@pytest.mark.parametrize("text, place", [
    ("x: " + "[" * 300 + "]" * 300 + "\n", "#/x" + "/0" * (MAX_DEPTH - 1)),
    ("".join("  " * i + "a:\n" for i in range(150)) + "  " * 150 + "b: 1\n", "#" + "/a" * MAX_DEPTH),
])
def test_yaml_nested_past_the_limit_names_the_place(text: str, place: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deep.yaml").write_text(text)
    code, _, err, _ = run_cli(["validate", str(tmp_path / "deep.yaml")], capsys)
    assert code == 1
    assert one_error(err) == f"{tmp_path / 'deep.yaml'}{place}: nested more than {MAX_DEPTH} levels deep; refusing"


def test_yaml_nested_past_the_parser_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "deep.yaml").write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    code, _, err, elapsed = run_cli(["validate", str(tmp_path / "deep.yaml")], capsys)
    assert code == 1 and elapsed < 3
    # libyaml's own limit (1000 levels) answers first, at its line and column.
    assert re.fullmatch(re.escape(f"{tmp_path / 'deep.yaml'}: ") + r"(invalid YAML at line 1 column \d+: exceeded maximum "
                        r"nesting depth|nested more than \d+ levels deep; refusing)", one_error(err)), err
    # ...and 999 levels, which the YAML parser takes, are refused by the depth limit.
    (tmp_path / "deep.yaml").write_text("x: " + "[" * 998 + "]" * 998 + "\n")
    code, _, err, _ = run_cli(["validate", str(tmp_path / "deep.yaml")], capsys)
    assert code == 1 and one_error(err).endswith(f": nested more than {MAX_DEPTH} levels deep; refusing")


# -- YAML values that can't be constructed ------------------------------------------------------


@pytest.mark.parametrize("value, message", [
    ("!!float abc", "cannot read 'abc' as float"),
    ("!!bool maybe", "cannot read 'maybe' as bool"),
    ("!!int twelve", "cannot read 'twelve' as int"),
])
def test_yaml_values_that_cannot_be_constructed_are_located(value: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "openapi.yaml").write_text(OPENAPI_YAML + "x-value: " + value + "\n")
    code, _, err, _ = run_cli(["validate", str(tmp_path / "openapi.yaml")], capsys)
    assert code == 1
    assert one_error(err) == f"{tmp_path / 'openapi.yaml'}: invalid YAML at line 4 column 10: {message}"


def test_an_impossible_date_stays_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "openapi.yaml").write_text(OPENAPI_YAML + "x-released: 2023-02-30\nx-ok: 2023-02-28\n")
    code, out, err, _ = run_cli(["validate", str(tmp_path / "openapi.yaml")], capsys)
    assert code == 0, err
    assert out.startswith(f"{tmp_path / 'openapi.yaml'}: valid OpenAPI 3.0.3")


# -- one confinement rule: folder scans and $ref targets ---------------------------------------------


def spec_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "pets.json").write_text(json.dumps(DECLARATION))
    return folder


def test_a_scanned_file_linking_outside_the_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "private.json").write_text(json.dumps({**DECLARATION, "resourcePath": "/private"}))
    folder = spec_folder(tmp_path)
    (folder / "zz.json").symlink_to(tmp_path / "private.json")
    code, out, err, _ = run_cli(["validate", str(folder)], capsys)
    assert code == 1 and out == ""
    assert one_error(err) == (
        f"{folder / 'zz.json'}: links to {tmp_path / 'private.json'}, which leaves the spec's folder {folder}; refused"
    )
    with pytest.raises(FetchError, match="which leaves the spec's folder"):
        find_listing(str(folder))  # `serve` scans with the same rule


def test_a_linked_folder_outside_is_refused_and_links_inside_are_fine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "elsewhere").mkdir()
    folder = spec_folder(tmp_path)
    (folder / "copy").symlink_to(folder / "pets.json")  # inside: allowed (extension-less, same document)
    code, _, err, _ = run_cli(["validate", str(folder)], capsys)
    assert code == 0, err
    (folder / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    code, _, err, _ = run_cli(["validate", str(folder)], capsys)
    assert code == 1
    assert one_error(err) == f"{folder / 'more'}: links to {tmp_path / 'elsewhere'}, which leaves the spec's folder {folder}; refused"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_folder_is_skipped_not_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = spec_folder(tmp_path)
    os.mkfifo(folder / "pipe.json")
    code, out, err, elapsed = run_cli(["validate", str(folder)], capsys)
    assert code == 0, err
    assert out.endswith("valid Swagger 1.2: 1 resources, 1 operations\n") and elapsed < 2
    code, _, err, elapsed = run_cli(["validate", str(folder / "pipe.json")], capsys)
    assert code == 1 and one_error(err) == f"{folder / 'pipe.json'}: not a regular file" and elapsed < 2


def test_a_ref_through_a_link_outside_uses_the_same_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "secret.json").write_text(json.dumps({"type": "string"}))
    folder = tmp_path / "api"
    folder.mkdir()
    (folder / "linked.json").symlink_to(tmp_path / "secret.json")
    root = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"Leak": {"$ref": "linked.json"}}}}
    (folder / "openapi.json").write_text(json.dumps(root))
    code, _, err, _ = run_cli(["validate", str(folder / "openapi.json")], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{folder / 'openapi.json'}#/components/schemas/Leak/$ref: reference 'linked.json' leaves the spec's folder {folder}; refused"
    )
    # The folder as the source: its scan applies the same rule to the same link.
    code, _, err, _ = run_cli(["validate", str(folder)], capsys)
    assert code == 1
    assert one_error(err) == f"{folder / 'linked.json'}: links to {tmp_path / 'secret.json'}, which leaves the spec's folder {folder}; refused"


def test_a_nul_byte_in_a_ref_is_a_located_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {"Bad": {"$ref": "x%00.json#/a"}}}}
    (tmp_path / "openapi.json").write_text(json.dumps(root))
    code, _, err, _ = run_cli(["validate", str(tmp_path / "openapi.json")], capsys)
    assert code == 1
    assert one_error(err) == (
        f"{tmp_path / 'openapi.json'}#/components/schemas/Bad/$ref: the reference's file name contains a NUL character"
    )


def test_a_key_with_a_line_break_cannot_forge_a_second_message_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"pets\nerror: everything is fine": {}, "/ok\u2028x": {"get": {"responses": {"200": {"description": 5}}}}}}
    (tmp_path / "openapi.json").write_text(json.dumps(root))
    code, _, err, _ = run_cli(["validate", str(tmp_path / "openapi.json")], capsys)
    assert code == 1
    assert err.splitlines() == [
        f"error: {tmp_path / 'openapi.json'}#/paths/pets%0Aerror: everything is fine: path \"pets\\nerror: everything is fine\" must start with '/'",
        f"error: {tmp_path / 'openapi.json'}#/paths/~1ok%E2%80%A8x/get/responses/200/description: expected string, got a number",
    ]
    declaration = {**DECLARATION, "apis": [{"path": "/pets", "operations": [
        {"method": "GET\u2028error: forged", "nickname": "list-pets", "type": "void"}]}]}
    (tmp_path / "pets.json").write_text(json.dumps(declaration))
    code, _, err, _ = run_cli(["validate", str(tmp_path / "pets.json")], capsys)
    assert code == 1
    assert one_error(err) == f'{tmp_path / "pets.json"}#/apis/0/operations/0/method: unknown HTTP method "GET%E2%80%A8error: forged"'


# -- passwords that end the authority early, and one-slash typos -----------------------------

AMBIGUOUS = [
    "http://alice:12#SEKRET@127.0.0.1:9/x",
    "http://alice:12?SEKRET@127.0.0.1:9/api-docs",
    "http://alice:?SEKRET@127.0.0.1:9/",
    "http://alice:#SEKRET@127.0.0.1:9/",
    "http:/alice:SEKRET@127.0.0.1:9/x",
    "https:alice:SEKRET@127.0.0.1:9/x",
]


@pytest.mark.parametrize("url", AMBIGUOUS)
def test_a_password_with_a_raw_question_mark_or_a_one_slash_typo_is_never_shown(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert "SEKRET" not in redact_url(url)
    assert redact_url(redact_url(url)) == redact_url(url)
    status, out, err, elapsed = run_cli(["validate", url, "--timeout", "1"], capsys)
    assert status == 1 and elapsed < 5
    message = one_error(err)
    assert "SEKRET" not in out + err
    assert "invalid URL" in message  # refused before any request: urllib would read another host


def test_a_query_with_an_at_sign_after_a_path_is_left_alone() -> None:
    url = "http://127.0.0.1:8000/api?email=a@b.example&api_key=k"
    assert redact_url(url) == "http://127.0.0.1:8000/api?email=a@b.example&api_key=***"


@pytest.mark.parametrize("header", ["Authorization Bearer SEKRET: x", "Authorization=Bearer SEKRET:x", "X-Key SEKRET\t: v"])
def test_a_bad_header_name_is_not_echoed_past_its_first_bad_character(header: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err, _ = run_cli(["validate", str(tmp_path), "--header", header], capsys)
    assert status == 1
    assert "is not a valid HTTP header name" in one_error(err)
    assert "SEKRET" not in out + err


def test_a_huge_garbage_status_line_is_one_short_line_quickly(capsys: pytest.CaptureFixture[str]) -> None:
    """The server chooses a bad status line of 64 kB: the message stays short, and quoting
    it costs no time."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(10)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(b"A" * 65000 + b"\r\n\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
        status, out, err, elapsed = run_cli(["validate", url, "--timeout", "2"], capsys)
    finally:
        stop.set()
        listener.close()
    assert status == 1 and elapsed < 6
    message = one_error(err)
    assert message.startswith(url) and len(message) < 600, message[:300]
