"""Options and operands in any order, repeated options, and OS failures as one line.

* Every order of ``apply``'s argument groups (the operands keep their relative order: FILTERS
  comes before INPUT) prints the same JSON; every command parses its groups in any order.
* ``--fields`` given several times adds up; a single-valued option given twice with two
  different values is a usage error, not a silent "last one wins".
* Every command, as a real process, with a busy port, an unreadable file, a stdout pipe closed
  early, a full disk behind stdout or no stdout at all: at most one line, never a traceback.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sphinx_apidocs.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
FILTERS = str(ROOT / "output_filters")
SAMPLE = str(ROOT / "sample_specs")
RESPONSE = str(ROOT / "examples" / "response.json")
NICK = "get-auth-user-info"


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def orders(groups: list[list[str]], operands: list[list[str]]) -> list[list[str]]:
    """Every order of ``groups`` in which ``operands`` (some of the groups) keep their order."""
    result = []
    for order in itertools.permutations(groups):
        positions = [order.index(group) for group in operands]
        if positions == sorted(positions):
            result.append([arg for group in order for arg in group])
    return result


# --- any order -----------------------------------------------------------------------------------


def test_every_order_of_apply_arguments_gives_the_same_output(capsys):
    groups = [[FILTERS], [RESPONSE], ["--operation", NICK], ["--fields", "info.ref"], ["--fields", "auth_user.uid, info.location"]]
    argvs = orders(groups, operands=[groups[0], groups[1]])
    assert len(argvs) == 60  # 5! orders, half of them with FILTERS before INPUT
    expected = {"info": {"ref": "~01a2b3c4d5e6f7a8b9", "location": {"city": "Lisbon", "country": "Portugal"}},
                "auth_user": {"uid": "jdoe"}}
    outputs = set()
    for argv in argvs:
        status, out, err = run(capsys, ["apply", *argv])
        assert (status, err) == (0, ""), argv
        assert json.loads(out) == expected, argv
        outputs.add(out)
    assert len(outputs) == 1


def test_every_order_of_apply_arguments_reading_stdin(capsys, monkeypatch):
    groups = [[FILTERS], ["--operation", NICK], ["--fields", "info.ref"]]
    outputs = set()
    for argv in orders(groups, operands=[groups[0]]):
        monkeypatch.setattr(sys, "stdin", io.StringIO(Path(RESPONSE).read_text()))
        status, out, err = run(capsys, ["apply", *argv])
        assert (status, err) == (0, ""), argv
        outputs.add(out)
    assert [json.loads(out) for out in outputs] == [{"info": {"ref": "~01a2b3c4d5e6f7a8b9"}}]


def test_the_natural_order_from_the_bug_report(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(RESPONSE, "response.json")
    status, out, err = run(capsys, ["apply", FILTERS, "--operation", NICK, "--fields", "info.ref,auth_user", "response.json"])
    assert (status, err) == (0, "")
    assert set(json.loads(out)) == {"info", "auth_user"}


def test_equals_form_and_double_dash(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(RESPONSE, "-response.json")  # an operand that looks like an option
    plain = run(capsys, ["apply", FILTERS, "--operation", NICK, RESPONSE])
    assert plain[0] == 0
    assert run(capsys, ["apply", f"--operation={NICK}", FILTERS, "--", "-response.json"]) == plain
    assert run(capsys, ["apply", FILTERS, "--operation", NICK, "--", "-response.json"]) == plain
    with pytest.raises(SystemExit) as usage:  # after --, "--operation" is an operand
        main(["apply", "--", FILTERS, "--operation", NICK])
    assert usage.value.code == 2
    capsys.readouterr()
    # Two operands after "--" (argparse's intermixed parsing alone loses them).
    (shutil.copytree if os.path.isdir(FILTERS) else shutil.copy)(FILTERS, "-filters")
    assert run(capsys, ["apply", f"--operation={NICK}", "--", "-filters", "-response.json"]) == plain
    with pytest.raises(SystemExit) as usage:
        main(["apply", f"--operation={NICK}", "--", "-filters", "-response.json", "-extra"])
    err = capsys.readouterr().err
    assert usage.value.code == 2 and "unrecognized arguments: -extra" in err and "\0" not in err


@pytest.mark.parametrize(
    "command, groups, operands",
    [
        ("fields", [["FILTERS"], ["--operation", "a"], ["--json"]], 1),
        ("apply", [["FILTERS"], ["INPUT"], ["--operation", "a"], ["--fields", "x"]], 2),
        ("compile", [["FILTERS"], ["-o", "out.py"], ["--check"]], 1),
        ("validate", [["SOURCE"], ["--timeout", "5"], ["--header", "A: b"], ["--max-bytes", "9"], ["--deadline", "7"]], 1),
        ("snapshot", [["SOURCE"], ["-o", "snap"], ["--timeout", "5"], ["--header", "A: b"]], 1),
        ("serve", [["SOURCE_DIR"], ["--host", "::1"], ["--port", "0"]], 1),
    ],
)
def test_every_command_parses_its_arguments_in_any_order(command, groups, operands):
    parser = build_parser()
    parsed = set()
    argvs = orders(groups, operands=groups[:operands])
    for argv in argvs:
        values = vars(parser.parse_args([command, *argv]))
        values.pop("handler")
        parsed.add(json.dumps(values, sort_keys=True))
    assert len(parsed) == 1, parsed
    assert "_apidocs_given_options" not in parsed.pop()


# --- repeated options ----------------------------------------------------------------------------


def test_repeated_fields_add_up(capsys):
    once = run(capsys, ["apply", FILTERS, "--operation", NICK, RESPONSE, "--fields", "info.ref,auth_user.uid"])
    assert once[0] == 0 and json.loads(once[1]) == {"info": {"ref": "~01a2b3c4d5e6f7a8b9"}, "auth_user": {"uid": "jdoe"}}
    assert run(capsys, ["apply", FILTERS, "--fields", "info.ref", "--operation", NICK, RESPONSE, "--fields", "auth_user.uid"]) == once
    assert run(capsys, ["apply", FILTERS, "--fields", "auth_user.uid", "--fields", "info.ref", "--operation", NICK, RESPONSE]) == once
    # a repeated path is the same selection
    assert run(capsys, ["apply", FILTERS, "--fields", "info.ref", "--fields", "info.ref,auth_user.uid", "--operation", NICK, RESPONSE]) == once
    # each part is checked: one path outside the whitelist fails the whole selection
    status, out, err = run(capsys, ["apply", FILTERS, "--operation", NICK, RESPONSE, "--fields", "info.ref", "--fields", "session.token"])
    assert (status, out) == (1, "") and err.count("\n") == 1 and "session.token" in err


def test_repeated_operation_for_fields_lists_each(capsys):
    status, out, _ = run(capsys, ["fields", FILTERS, "--operation", NICK, "--json", "--operation", "get-contract"])
    assert status == 0 and list(json.loads(out)) == [NICK, "get-contract"]
    status, out, _ = run(capsys, ["fields", FILTERS, "--operation", NICK, "--operation", "get-contract"])
    assert status == 0 and out.startswith(f"{NICK}\n  info.ref\n") and "\nget-contract\n  " in out
    status, out, _ = run(capsys, ["fields", FILTERS, "--operation", NICK])
    assert status == 0 and out.startswith("info.ref\n")  # one operation: just its paths


@pytest.mark.parametrize(
    "argv, option",
    [
        (["apply", FILTERS, "--operation", NICK, "--operation", "get-contract"], "--operation"),
        (["serve", SAMPLE, "--port", "0", "--port", "8000"], "--port"),
        (["compile", FILTERS, "-o", "a.py", "--output", "b.py"], "-o/--output"),
        (["validate", SAMPLE, "--timeout", "1", "--timeout", "2"], "--timeout"),
    ],
)
def test_a_single_valued_option_given_twice_differently_is_a_usage_error(argv, option, capsys):
    with pytest.raises(SystemExit) as usage:
        main(argv)
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument {option}: given twice with different values" in err


def test_the_same_value_twice_is_fine(capsys):
    first = run(capsys, ["apply", FILTERS, "--operation", NICK, RESPONSE])
    assert run(capsys, ["apply", FILTERS, "--operation", NICK, RESPONSE, "--operation", NICK]) == first


# --- OS failures: one line, never a traceback ----------------------------------------------------


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sphinx_apidocs", *args]


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, err


def assert_one_line(status: int, err: str, *names: str) -> None:
    assert status != 0
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    for name in names:
        assert name in err, err


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_serve_on_a_busy_port(busy_port, capsys):
    status, out, err = run(capsys, ["serve", SAMPLE, "--port", str(busy_port)])
    assert status == 1 and out == ""
    assert err == f"error: 127.0.0.1:{busy_port}: cannot listen: Address already in use\n"
    result = subprocess.run(cli("serve", SAMPLE, "--port", str(busy_port)), capture_output=True, text=True, timeout=60)
    assert_one_line(result.returncode, result.stderr, f"127.0.0.1:{busy_port}", "in use")


def unreadable(path: Path) -> Path:
    """A file that exists and cannot be read: mode 000, or (as root, who reads anything) a
    link to ``/proc/self/mem``, whose reads fail with EIO."""
    if os.geteuid() != 0:
        path.write_text("{}")
        path.chmod(0)
    elif Path("/proc/self/mem").exists():
        path.symlink_to("/proc/self/mem")
    else:
        pytest.skip("no way to make an unreadable file here")
    return path


def unreadable_cases(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    (tmp_path / "filters").mkdir()
    (tmp_path / "specs").mkdir()
    unreadable(tmp_path / "filters" / "x.yaml")
    unreadable(tmp_path / "specs" / "api-docs.json")
    unreadable(tmp_path / "input.json")
    unreadable(tmp_path / "module.py")
    return {
        "fields": (["fields", "filters"], "x.yaml"),
        "apply": (["apply", FILTERS, "--operation", NICK, "input.json"], "input.json"),
        "compile": (["compile", "filters", "-o", "out.py"], "x.yaml"),
        "compile --check": (["compile", FILTERS, "-o", "module.py", "--check"], "module.py"),
        "validate": (["validate", "specs/api-docs.json"], "api-docs.json"),
        "validate a folder": (["validate", "specs"], "api-docs.json"),
        "snapshot": (["snapshot", "specs/api-docs.json", "-o", "snap"], "api-docs.json"),
        "serve": (["serve", "specs", "--port", "0"], "api-docs.json"),
    }


CASES = ["fields", "apply", "compile", "compile --check", "validate", "validate a folder", "snapshot", "serve"]


@pytest.mark.parametrize("case", CASES)
def test_an_unreadable_file(case, tmp_path):
    argv, name = unreadable_cases(tmp_path)[case]
    process = subprocess.Popen(cli(*argv), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    status, err = finish(process, timeout=30)
    assert_one_line(status, err, name)


def stdout_cases(tmp_path: Path) -> dict[str, list[str]]:
    shutil.copytree(SAMPLE, tmp_path / "specs")
    return {
        "fields": ["fields", FILTERS],
        "fields --json": ["fields", FILTERS, "--json"],
        "apply": ["apply", FILTERS, "--operation", NICK, RESPONSE],
        "compile": ["compile", FILTERS, "-o", "out.py"],
        "validate": ["validate", "specs"],
        "snapshot": ["snapshot", "specs", "-o", "snap"],
        "serve": ["serve", "specs", "--port", "0"],
        "--help": ["apply", "--help"],
    }


STDOUT_CASES = ["fields", "fields --json", "apply", "compile", "validate", "snapshot", "serve", "--help"]


@pytest.mark.parametrize("case", STDOUT_CASES)
def test_stdout_pipe_closed_early(case, tmp_path):
    """The reader goes away before the command writes: quietly 141 (as ``cmd | head -0``), or
    0 for a command that writes nothing to stdout; never a traceback, at most one line."""
    argv = stdout_cases(tmp_path)[case]
    process = subprocess.Popen(cli(*argv), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.close()  # long before the interpreter has started
    status = process.wait(timeout=60)
    assert process.stderr is not None
    err = process.stderr.read()
    process.stderr.close()
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err == ""
    if case == "--help":  # argparse itself ignores a failed write of the help
        assert status in (0, 141)
    else:
        assert status == (0 if case == "compile" else 141)


@pytest.mark.parametrize("case", STDOUT_CASES)
@pytest.mark.parametrize("target", ["/dev/full", "closed"])
def test_stdout_full_or_closed(case, target, tmp_path):
    """A full disk behind stdout, or no stdout at all (``>&-``): one ``error: stdout:`` line."""
    if target == "/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    argv = stdout_cases(tmp_path)[case]
    redirect = "> /dev/full" if target == "/dev/full" else ">&-"
    process = subprocess.Popen(
        ["bash", "-c", f'exec "$@" {redirect}', "bash", *cli(*argv)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    status, err = finish(process)
    if case == "compile":  # writes its module, nothing to stdout
        assert (status, err) == (0, "")
    elif case == "--help":  # argparse writes the help; a lost help is not worth more
        assert "Traceback" not in err
    else:
        assert_one_line(status, err, "stdout")
