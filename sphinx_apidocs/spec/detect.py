"""Tell Swagger 2.0 and OpenAPI 3.0/3.1 documents apart from Swagger 1.x ones."""

from __future__ import annotations

import re
from typing import Any

_OPENAPI_3 = re.compile(r"^3\.(0|1)(\.\d+)?(-[0-9A-Za-z.-]+)?$")


def is_openapi(data: Any) -> bool:
    """True when ``data`` declares itself a Swagger 2.0 / OpenAPI 3 document (any version)."""
    return isinstance(data, dict) and ("swagger" in data or "openapi" in data) and "swaggerVersion" not in data


def openapi_version(data: dict[str, Any]) -> str:
    """``"2.0"``, ``"3.0.3"``, ``"3.1.0"``...; raises ``ValueError`` with a one-line reason.

    A version written as a YAML number (``openapi: 3.0`` -> ``3.0``) is accepted: its
    meaning is clear. Versions other than 2.0, 3.0.x and 3.1.x are refused.
    """
    if "openapi" in data:
        raw = data["openapi"]
        version = _text(raw)
        if version is None or not _OPENAPI_3.match(version):
            raise ValueError(f"unsupported OpenAPI version {raw!r} (expected 3.0.x or 3.1.x)")
        return version
    raw = data.get("swagger")
    version = _text(raw)
    if version not in ("2.0", "2"):
        raise ValueError(f"unsupported Swagger version {raw!r} (expected \"2.0\")")
    return "2.0"


def major(version: str) -> int:
    return 2 if version.startswith("2") else 3


def is_31(version: str) -> bool:
    return version.startswith("3.1")


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None
