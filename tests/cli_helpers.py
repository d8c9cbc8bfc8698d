"""What the CLI tests share: a tiny 1.2 API and running ``main(argv)`` in-process."""

from __future__ import annotations

import time

import pytest

from sphinx_apidocs.cli import main

LISTING = {"swaggerVersion": "1.2", "apis": [{"path": "/pets.{format}", "description": "Pets"}]}
PETS = {
    "swaggerVersion": "1.2",
    "basePath": "https://api.example.com",
    "resourcePath": "/pets",
    "apis": [{"path": "/pets", "operations": [{"method": "GET", "nickname": "list-pets", "type": "void"}]}],
}


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, float]:
    """Exit status, stdout, stderr and seconds of one command; never a traceback."""
    started = time.monotonic()
    status = main(args)
    elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err, elapsed


def one_error(err: str) -> str:
    """The one ``error:`` line of a failed command (and nothing else on stderr)."""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("error: "), err
    return err[len("error: "):-1]
