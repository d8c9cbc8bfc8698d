"""Benchmark: a large API built with the extension vs. the same content written by hand.

Generates an API of 800 operations in 40 resources (two operations per path, 6 parameters,
3 response messages and 12 output fields each), then runs two full ``sphinx-build -b html``
builds, each in its own subprocess:

1. **extension** — ``extensions = ["sphinx_apidocs"]``, one generated page per resource;
2. **static** — the same content as hand-written reST (list-tables), one page per resource.

Reports wall time and peak memory (``ru_maxrss`` of that child, via ``os.wait4``) of each and
their ratio. Usage::

    python benchmarks/build.py [--resources 40] [--paths 10] [--repeat 1] [--keep DIR] [--check 0.25]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

METHODS = ("GET", "PUT")
PARAM_LOCATIONS = ("path", "query", "query", "query", "header", "query")
FIELDS = [f"field_{n}" for n in range(10)] + ["meta.created", "meta.owner"]


# -- the generated API ----------------------------------------------------------------------


def resource_name(i: int) -> str:
    return f"res{i:02d}"


def operation_parts(i: int, p: int, m: int) -> dict:
    method = METHODS[m]
    nickname = f"{method.lower()}-{resource_name(i)}-item{p:02d}"
    params = [
        {
            "name": "item_id" if k == 0 else f"param_{k}",
            "paramType": PARAM_LOCATIONS[k],
            "type": "integer" if k % 2 == 0 else "string",
            **({"format": "int64"} if k % 2 == 0 else {}),
            "required": k == 0,
            "description": f"Parameter {k} of {nickname}: what it selects and how.",
            **({"enum": ["asc", "desc"]} if k == 3 else {}),
            **({"defaultValue": "20", "minimum": "1", "maximum": "100"} if k == 2 else {}),
        }
        for k in range(6)
    ]
    return {
        "method": method,
        "nickname": nickname,
        "summary": f"{'Get' if method == 'GET' else 'Replace'} item {p} of resource {i}",
        "notes": f"Longer notes for {nickname}. They explain `item_id` and the paging rules.\n\nA second paragraph.",
        "scope": f"{resource_name(i)}:{'read' if method == 'GET' else 'write'}",
        "type": f"Item{i:02d}",
        "parameters": params,
        "responseMessages": [
            {"code": 400, "message": "Invalid parameter", "responseModel": f"Error{i:02d}"},
            {"code": 401, "message": "Missing or expired access token", "responseModel": f"Error{i:02d}"},
            {"code": 404, "message": "No such item", "responseModel": f"Error{i:02d}"},
        ],
    }


def models(i: int) -> dict:
    item = {f"field_{n}": {"type": "string", "description": f"Field {n} of an item of resource {i}."} for n in range(10)}
    item["meta"] = {"$ref": f"Meta{i:02d}", "description": "Bookkeeping data."}
    return {
        f"Item{i:02d}": {"id": f"Item{i:02d}", "description": f"An item of resource {i}.", "properties": item},
        f"Meta{i:02d}": {"id": f"Meta{i:02d}", "properties": {
            "created": {"type": "string", "format": "date-time", "description": "When it was created."},
            "owner": {"type": "string", "description": "Who owns it."},
        }},
        f"Error{i:02d}": {"id": f"Error{i:02d}", "properties": {
            "code": {"type": "integer", "format": "int32", "description": "Error code."},
            "message": {"type": "string", "description": "What went wrong."},
        }},
    }


def generate_spec(folder: Path, resources: int = 40, paths: int = 10) -> dict[str, list[dict]]:
    """Write ``folder/specs`` (listing + declarations) and ``folder/filters``; returns the ops."""
    specs, filters = folder / "specs", folder / "filters"
    specs.mkdir(parents=True, exist_ok=True)
    filters.mkdir(parents=True, exist_ok=True)
    listing = {"swaggerVersion": "1.2", "apiVersion": "1.0", "info": {"title": "Benchmark API", "description": "A generated API."}, "apis": []}
    all_ops: dict[str, list[dict]] = {}
    for i in range(resources):
        name = resource_name(i)
        listing["apis"].append({"path": f"/{name}.{{format}}", "description": f"Resource {i} of the benchmark"})
        apis = []
        ops = []
        for p in range(paths):
            operations = [operation_parts(i, p, m) for m in range(len(METHODS))]
            ops.extend(operations)
            apis.append({"path": f"/{name}/items{p:02d}/{{item_id}}", "operations": operations})
        declaration = {"swaggerVersion": "1.2", "apiVersion": "1.0", "basePath": "https://bench.example.com/v1",
                       "resourcePath": f"/{name}", "apis": apis, "models": models(i)}
        (specs / f"{name}.json").write_text(json.dumps(declaration, indent=1))
        (filters / f"{name}.yaml").write_text("".join(f"{op['nickname']}: [{', '.join(FIELDS)}]\n" for op in ops))
        all_ops[name] = ops
    (specs / "api-docs.json").write_text(json.dumps(listing, indent=1))
    return all_ops


# -- the two projects -----------------------------------------------------------------------

CONF_COMMON = 'project = "bench"\nexclude_patterns = ["_build"]\n'
INDEX = "Benchmark\n=========\n\n.. toctree::\n   :maxdepth: 1\n\n{entries}\n"


def extension_project(root: Path) -> Path:
    src = root / "ext"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(
        CONF_COMMON + 'extensions = ["sphinx_apidocs"]\napidocs_spec = "../specs"\napidocs_filters = "../filters"\n'
        'apidocs_resource_pages = "api"\n'
    )
    (src / "index.rst").write_text(INDEX.format(entries="   api/index"))
    return src


def _list_table(title: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f".. list-table:: {title}", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append("   * - " + (row[0] or ""))
        lines.extend("     - " + (cell or "") for cell in row[1:])
    return "\n".join(lines) + "\n"


def static_project(root: Path, ops: dict[str, list[dict]]) -> Path:
    """The same pages as hand-written reST: headings, field lists and list-tables."""
    src = root / "static"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF_COMMON)
    (src / "index.rst").write_text(INDEX.format(entries="\n".join(f"   {name}" for name in ops)))
    for i, (name, operations) in enumerate(ops.items()):
        out = [f"Resource {i} of the benchmark\n{'=' * 40}\n", f"Resource ``/{name}``.\n"]
        for op in operations:
            title = f"{op['method']} https://bench.example.com/v1/{name}/items{operations.index(op) // 2:02d}/{{item_id}}"
            out.append(f".. _op-{op['nickname']}:\n\n{title}\n{'-' * len(title)}\n")
            out.append(f"{op['summary']}\n\n{op['notes']}\n")
            out.append(f":Nickname: ``{op['nickname']}``\n:Required scope: ``{op['scope']}``\n:Returns: `{op['type']}`_\n")
            out.append(_list_table("Parameters", ["Name", "Located in", "Type", "Required", "Default", "Allowed values", "Description"], [
                [f"``{p['name']}``", p["paramType"], p["type"] + (f" ({p['format']})" if "format" in p else ""),
                 "yes" if p["required"] else "no", f"``{p['defaultValue']}``" if "defaultValue" in p else "",
                 ", ".join(f"``{v}``" for v in p.get("enum", [])) or ("from 1 to 100" if "minimum" in p else ""),
                 p["description"]] for p in op["parameters"]
            ]))
            out.append(_list_table("Response messages", ["Code", "Message", "Model"], [
                [str(m["code"]), m["message"], f"`{m['responseModel']}`_"] for m in op["responseMessages"]
            ]))
            out.append(_list_table("Possible output fields", ["Field", "Type", "Description"], [
                [f"``{f}``", "string (date-time)" if f == "meta.created" else "string",
                 {"meta.created": "When it was created.", "meta.owner": "Who owns it."}.get(f, f"Field {f[6:]} of an item of resource {i}.")]
                for f in FIELDS
            ]))
        out.append("Models\n------\n")
        for model_name, model in models(i).items():
            out.append(f".. _{model_name}:\n\n{model_name}\n{'~' * len(model_name)}\n\n{model.get('description', '')}\n")
            out.append(_list_table(model_name, ["Field", "Type", "Required", "Description"], [
                [f"``{k}``", v.get("type") or f"`{v['$ref']}`_", "no", v.get("description", "")] for k, v in model["properties"].items()
            ]))
        (src / f"{name}.rst").write_text("\n".join(out))
    return src


# -- measuring ------------------------------------------------------------------------------


def measure(src: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one full html build in a child process."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "sphinx", "build", "-E", "-q", "-b", "html", str(src), str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"build of {src} failed ({process.returncode}):\n{stderr}")
    if stderr.strip():
        print(f"warnings from {src.name}:\n{textwrap.indent(stderr.strip(), '  ')}", file=sys.stderr)
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--paths", type=int, default=10, help="paths per resource (two operations each)")
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant; the fastest counts")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--check", type=float, help="exit 1 if extension/static wall time exceeds this ratio")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="apidocs-bench-"))
    try:
        ops = generate_spec(root, args.resources, args.paths)
        count = sum(len(o) for o in ops.values())
        variants = {"extension": extension_project(root), "static": static_project(root, ops)}
        print(f"{count} operations in {len(ops)} resources; {args.repeat} build(s) per variant")
        results: dict[str, tuple[float, float]] = {}
        for name, src in variants.items():
            runs = [measure(src, root / "_build" / name) for _ in range(args.repeat)]
            results[name] = (min(r[0] for r in runs), max(r[1] for r in runs))
            print(f"  {name:<10} {results[name][0]:7.2f} s  {results[name][1]:7.1f} MB peak")
        time_ratio = results["extension"][0] / results["static"][0]
        memory_ratio = results["extension"][1] / results["static"][1]
        print(f"  ratio      {time_ratio:7.2f} x  {memory_ratio:7.2f} x   (extension / static)")
        pages = sorted(p.name for p in (root / "_build" / "extension" / "api").glob("*.html"))
        print(f"  extension pages under api/: {len(pages)} ({pages[0]} ... {pages[-1]})")
        if args.check is not None and time_ratio > args.check:
            print(f"FAIL: time ratio {time_ratio:.2f} > {args.check}")
            return 1
        return 0
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
