"""Benchmarks: large API builds with the extension, side by side with the alternatives.

``--compare static`` (the first comparison): an API of 800 operations in 40 resources (two
operations per path, 6 parameters, 3 response messages and 12 output fields each) built with
the extension versus the same content written by hand as reST (list-tables), one page per
resource each, one full ``sphinx-build -b html`` each.

``--compare openapi``: sphinx_apidocs versus sphinxcontrib-openapi 0.10 (``pip install
'.[bench]'``) on the same OpenAPI 3.0 spec — the same 800 operations in 40 pages, generated as
``spec.yaml`` — and on Stripe's spec (``../shared/corpus/openapi-3.0/stripe/spec3.yaml``, its
417 operations in one page per resource, skipped if the corpus is absent). sphinx_apidocs
gets one generated page per resource (``apidocs_resource_pages``) with its output filters, so
its pages carry the richer tables ("Possible output fields"); sphinxcontrib-openapi gets the
same pages, each ``.. openapi:: spec.yaml`` with ``:paths:`` listing that page's paths. For
each: a full build, then a rebuild without ``-E`` after touching the spec (its mtime only),
with the documents each re-read.

``--compare floor`` (in ``static`` and ``all`` too): the **raw-HTML floor**, what Sphinx
itself costs for the same final pages. After the extension's full build, the HTML body Sphinx
wrote for each of its documents (what ``<div class="body">`` holds: generated tables, signatures,
highlighted code blocks, everything) is cut out of the built page; a project with the same
document names is then made whose pages are that body as ``.. raw:: html`` (the page title as
a reST title, the source's toctree entries as a hidden toctree so the navigation is the same),
and built the same way, no extension loaded. The floor writes the same final markup and indexes
the same text (Sphinx's search indexer reads ``raw`` HTML), and reads nothing to make it. The
same is done for the OpenAPI build (``--compare openapi``). A rebuild with no change at all
(no ``-E``, nothing touched) of the extension's project is compared with the floor too.

``--compare versions``: the same generated API in two versions (the second with every fifth
resource's first operation removed and one added) built with ``apidocs_versions`` — pages per
version, pickers, a changes page — against the second version alone (goal: <= 2.2 x).

Every build runs in its own child process; wall time and peak memory (``ru_maxrss`` of that
child, via ``os.wait4``) are reported with their ratios. Usage::

    python benchmarks/build.py [--compare all|static|floor|openapi|versions] [--resources 40] [--paths 10]
                               [--repeat 1] [--keep DIR] [--check 0.25] [--no-stripe]

``--check R`` fails (exit 1) when extension/static wall time exceeds R; ``--check-openapi F``
when sphinx_apidocs is not at least F times faster than sphinxcontrib-openapi on the
generated spec's full build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import re
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
STRIPE = CORPUS / "openapi-3.0" / "stripe" / "spec3.yaml"

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


# -- the raw-HTML floor -----------------------------------------------------------------------

_BODY_START = '<div class="body" role="main">'
_BODY_END = '<div class="sphinxsidebar"'
_PAGE = re.compile(r'\s*<section id="[^"]*">\s*<h1>(?P<title>.*?)<a class="headerlink"[^>]*>[^<]*</a></h1>\n?(?P<body>.*)</section>\s*$', re.S)
_TOCTREE = re.compile(r"^(?P<indent> *)\.\. toctree::[^\n]*\n(?P<block>(?:(?P=indent) +\S[^\n]*\n|[ \t]*\n)*)", re.M)
_REST_SPECIAL = re.compile(r"([\\*`|_\[\]<>])")


def page_body(html: str) -> tuple[str, str]:
    """``(title, body)`` of a page Sphinx wrote (alabaster): the text of its ``<h1>`` and the
    markup after it in ``<div class="body">``, up to the closing ``</section>``."""
    from html import unescape

    start = html.index(_BODY_START) + len(_BODY_START)
    inner = html[start:html.index(_BODY_END, start)]
    inner = inner[: inner.rindex("</section>") + len("</section>")]
    match = _PAGE.match(inner)
    if match is None:
        return "", inner
    return unescape(re.sub(r"<[^>]*>", "", match.group("title"))), match.group("body")


def toctree_entries(rst: str) -> list[str]:
    """The entries of every ``.. toctree::`` of a reST source (options skipped)."""
    entries: list[str] = []
    for match in _TOCTREE.finditer(rst):
        for line in match.group("block").splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                entries.append(line)
    return entries


def floor_project(root: Path, src: Path, built: Path, name: str = "floor") -> Path:
    """The raw-HTML floor of the build of ``src`` into ``built`` (see the module docstring):
    one page per source document, its built body as ``.. raw:: html``."""
    floor = root / name
    shutil.rmtree(floor, ignore_errors=True)
    floor.mkdir(parents=True)
    (floor / "conf.py").write_text(CONF_COMMON)
    for source in sorted(src.rglob("*.rst")):
        docname = source.relative_to(src).with_suffix("")
        if docname.parts[0].startswith(("_", ".")):
            continue
        title, body = page_body((built / docname).with_suffix(".html").read_text(encoding="utf-8"))
        text = ""
        if title:
            title = _REST_SPECIAL.sub(r"\\\1", title)
            text += f"{title}\n{'=' * len(title)}\n\n"
        entries = toctree_entries(source.read_text(encoding="utf-8"))
        if entries:
            text += ".. toctree::\n   :hidden:\n\n" + "".join(f"   {entry}\n" for entry in entries) + "\n"
        raw = "".join(f"   {line}\n" if line.strip() else "\n" for line in body.splitlines())
        text += f".. raw:: html\n\n{raw}"
        target = (floor / docname).with_suffix(".rst")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return floor


# -- the same API as OpenAPI 3.0, and the sphinxcontrib-openapi comparison -----------------


def _schema_of(prop: dict) -> dict:
    if "$ref" in prop:
        return {"$ref": f"#/components/schemas/{prop['$ref']}"}
    return {k: prop[k] for k in ("type", "format", "description") if k in prop}


def _openapi_parameter(param: dict) -> dict:
    schema: dict = {"type": param["type"], **({"format": param["format"]} if "format" in param else {})}
    if "enum" in param:
        schema["enum"] = param["enum"]
    if "defaultValue" in param:
        schema.update(default=int(param["defaultValue"]), minimum=int(param["minimum"]), maximum=int(param["maximum"]))
    return {"name": param["name"], "in": param["paramType"], "required": param["required"],
            "description": param["description"], "schema": schema}


def generate_openapi(path: Path, resources: int = 40, paths: int = 10) -> dict[str, list[str]]:
    """Write the generated API (same operations, models and nicknames as ``generate_spec``) as
    one OpenAPI 3.0 YAML file; returns page name -> the API paths on that page."""
    import yaml

    spec: dict = {
        "openapi": "3.0.3",
        "info": {"title": "Benchmark API", "description": "A generated API.", "version": "1.0"},
        "servers": [{"url": "https://bench.example.com/v1"}],
        "tags": [], "paths": {},
        "components": {"schemas": {}, "securitySchemes": {"oauth": {"type": "oauth2", "flows": {
            "clientCredentials": {"tokenUrl": "https://bench.example.com/token", "scopes": {}}}}}},
    }
    pages: dict[str, list[str]] = {}
    for i in range(resources):
        name = resource_name(i)
        spec["tags"].append({"name": name, "description": f"Resource {i} of the benchmark"})
        for model_name, model in models(i).items():
            spec["components"]["schemas"][model_name] = {
                "type": "object", **({"description": model["description"]} if "description" in model else {}),
                "properties": {key: _schema_of(prop) for key, prop in model["properties"].items()},
            }
        pages[name] = []
        for p in range(paths):
            api_path = f"/{name}/items{p:02d}/{{item_id}}"
            pages[name].append(api_path)
            item = {}
            for m in range(len(METHODS)):
                op = operation_parts(i, p, m)
                item[op["method"].lower()] = {
                    "operationId": op["nickname"], "tags": [name], "summary": op["summary"], "description": op["notes"],
                    "security": [{"oauth": [op["scope"]]}],
                    "parameters": [_openapi_parameter(param) for param in op["parameters"]],
                    "responses": {
                        "200": {"description": "The item.", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{op['type']}"}}}},
                        **{str(r["code"]): {"description": r["message"], "content": {"application/json": {
                            "schema": {"$ref": f"#/components/schemas/{r['responseModel']}"}}}} for r in op["responseMessages"]},
                    },
                }
            spec["paths"][api_path] = item
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(spec, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return pages


def stripe_pages(spec: Path) -> dict[str, list[str]]:
    """Stripe's paths grouped as sphinx_apidocs groups them (one page per resource); a path
    goes to the page of its first operation's resource."""
    sys.path.insert(0, str(REPO))
    from sphinx_apidocs.spec import load_spec

    pages: dict[str, list[str]] = {}
    seen: set[str] = set()
    for resource in load_spec(str(spec)).resources:
        for api in resource.apis:
            if api.path not in seen:
                seen.add(api.path)
                pages.setdefault(resource.resource_path.strip("/").replace("/", "-") or "root", []).append(api.path)
    return pages


def apidocs_openapi_project(root: Path, spec_name: str, filters: Path | None) -> Path:
    src = root / "apidocs"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(
        CONF_COMMON + f'extensions = ["sphinx_apidocs"]\napidocs_spec = "../{spec_name}"\n'
        + (f"apidocs_filters = {str(filters)!r}\n" if filters else "")
        + 'apidocs_resource_pages = "api"\n'
    )
    (src / "index.rst").write_text(INDEX.format(entries="   api/index"))
    return src


def contrib_openapi_project(root: Path, spec_name: str, pages: dict[str, list[str]]) -> Path:
    """One page per resource, each ``.. openapi:: ../spec`` with ``:paths:`` of that page."""
    src = root / "contrib"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF_COMMON + 'extensions = ["sphinxcontrib.openapi"]\n')
    (src / "index.rst").write_text(INDEX.format(entries="\n".join(f"   {name}" for name in pages)))
    for name, api_paths in pages.items():
        title = f"Resource {name}"
        listed = "\n".join(f"      {p}" for p in api_paths)
        (src / f"{name}.rst").write_text(f"{title}\n{'=' * len(title)}\n\n.. openapi:: ../{spec_name}\n   :paths:\n{listed}\n")
    return src


class Pair(NamedTuple):
    full: Run
    rebuild: Run | None


def full_and_rebuild(src: Path, out: Path, spec: Path, timeout: float) -> Pair:
    """A full build, then a rebuild without ``-E`` after touching ``spec`` (mtime only)."""
    full = run_build(src, out, timeout=timeout)
    if not full.ok:
        return Pair(full, None)
    now = time.time()
    os.utime(spec, (now, now))
    return Pair(full, run_build(src, out, fresh=False, timeout=timeout))


def _cell(run: Run | None, docs: int, rebuild: bool = False) -> str:
    if run is None:
        return f"{'-':>9} {'':>9}" + (f" {'':>12}" if rebuild else "")
    if not run.ok:
        return f"{'failed':>9} {f'({run.seconds:.0f} s)':>9}" + (f" {'':>12}" if rebuild else "")
    text = f"{run.seconds:7.2f} s {run.peak_mb:6.0f} MB"
    if rebuild:
        text += f" {('?' if run.read is None else run.read):>4} of {docs:<4}"
    return text


def _ratio(a: Run | None, b: Run | None) -> str:
    if a is None or b is None or not a.ok or not b.ok:
        return f"{'-':>9} {'-':>9}"
    return f"{b.seconds / a.seconds:7.1f} x {b.peak_mb / a.peak_mb:6.2f} x "


def report_openapi(title: str, docs: int, results: dict[str, Pair]) -> None:
    print(f"\n{title}")
    print(f"  {'':<22} {'full build':^19}   {'rebuild after touching the spec':^32}")
    print(f"  {'':<22} {'wall':>9} {'peak':>9}   {'wall':>9} {'peak':>9} {'docs re-read':>12}")
    for name, pair in results.items():
        print(f"  {name:<22} {_cell(pair.full, docs)}   {_cell(pair.rebuild, docs, rebuild=True)}")
    apidocs, contrib = results["sphinx_apidocs"], results["sphinxcontrib-openapi"]
    print(f"  {'ratio contrib/apidocs':<22} {_ratio(apidocs.full, contrib.full)}   {_ratio(apidocs.rebuild, contrib.rebuild)}")
    for name, pair in results.items():
        for label, run in (("full build", pair.full), ("rebuild", pair.rebuild)):
            if run is not None and not run.ok:
                print(f"  {name} {label} failed: {run.error}")
            elif run is not None and run.warnings:
                print(f"  ({name} {label}: {run.warnings} warning line(s))")


def compare_openapi(root: Path, args: argparse.Namespace) -> float | None:
    """Both extensions on the generated spec and on Stripe's; returns the full-build speed-up
    on the generated spec (contrib time / apidocs time), or ``None`` if not measured."""
    try:
        import sphinxcontrib.openapi  # noqa: F401
    except ImportError:
        print("\nsphinxcontrib-openapi is not installed: pip install '.[bench]' (skipping --compare openapi)")
        return None
    generated = root / "openapi"
    generated.mkdir(parents=True, exist_ok=True)
    if not (root / "filters").is_dir():
        generate_spec(root, args.resources, args.paths)  # the filters (same nicknames)
    pages = generate_openapi(generated / "spec.yaml", args.resources, args.paths)
    count = args.resources * args.paths * len(METHODS)
    runs = {
        "sphinx_apidocs": full_and_rebuild(apidocs_openapi_project(generated, "spec.yaml", root / "filters"),
                                           generated / "_build" / "apidocs", generated / "spec.yaml", args.timeout),
        "sphinxcontrib-openapi": full_and_rebuild(contrib_openapi_project(generated, "spec.yaml", pages),
                                                  generated / "_build" / "contrib", generated / "spec.yaml", args.timeout),
    }
    report_openapi(f"OpenAPI 3.0, generated: {count} operations in {len(pages)} pages "
                   f"(spec.yaml {(generated / 'spec.yaml').stat().st_size / 1e6:.1f} MB)", len(pages) + 1, runs)
    speedup = None
    a, c = runs["sphinx_apidocs"].full, runs["sphinxcontrib-openapi"].full
    if a.ok and c.ok:
        speedup = c.seconds / a.seconds
        SUMMARY["OpenAPI extension / sphinxcontrib-openapi"] = f"{a.seconds / c.seconds:6.2f} x   (goal <= 0.15)"
    if a.ok:
        # The floor of this build too: its full build's pages (the rebuild rewrote none).
        apidocs_src = generated / "apidocs"
        floor = run_build(floor_project(generated, apidocs_src, generated / "_build" / "apidocs", "floor"),
                          generated / "_build" / "floor", timeout=args.timeout)
        print(f"  {'floor (raw HTML)':<22} {_cell(floor, len(pages) + 1)}")
        if floor.ok:
            SUMMARY["OpenAPI extension / floor"] = f"{a.seconds / floor.seconds:6.2f} x"
        parallel = run_build(apidocs_src, generated / "_build" / "apidocs-j", timeout=args.timeout, jobs="auto")
        print(f"  {'sphinx_apidocs -j auto':<22} {_cell(parallel, len(pages) + 1)}")
        if parallel.ok:
            SUMMARY["OpenAPI extension, -j auto / serial"] = f"{parallel.seconds / a.seconds:6.2f} x   (goal < 1)"

    if args.no_stripe:
        return speedup
    if not STRIPE.is_file():
        print(f"\nStripe: skipped ({STRIPE} is absent)")
        return speedup
    stripe = root / "stripe"
    stripe.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STRIPE, stripe / "spec3.yaml")
    pages = stripe_pages(stripe / "spec3.yaml")
    runs = {
        "sphinx_apidocs": full_and_rebuild(apidocs_openapi_project(stripe, "spec3.yaml", None),
                                           stripe / "_build" / "apidocs", stripe / "spec3.yaml", args.timeout),
        "sphinxcontrib-openapi": full_and_rebuild(contrib_openapi_project(stripe, "spec3.yaml", pages),
                                                  stripe / "_build" / "contrib", stripe / "spec3.yaml", args.timeout),
    }
    report_openapi(f"Stripe (OpenAPI 3.0, 417 operations in {len(pages)} pages, spec3.yaml "
                   f"{STRIPE.stat().st_size / 1e6:.1f} MB)", len(pages) + 1, runs)
    stripe_run = runs["sphinx_apidocs"].full
    if stripe_run.ok:
        SUMMARY["Stripe full build, sphinx_apidocs"] = f"{stripe_run.seconds:6.2f} s, peak RSS {stripe_run.peak_mb:.0f} MB"
    return speedup


# -- measuring ------------------------------------------------------------------------------


class Run(NamedTuple):
    """One child ``sphinx-build``: wall seconds, peak RSS in MB, documents it read, outcome."""

    seconds: float
    peak_mb: float
    read: int | None = None  # documents re-read ("updating environment: ... N changed")
    warnings: int = 0
    error: str = ""  # why the build failed (its last lines), "" when it succeeded

    @property
    def ok(self) -> bool:
        return not self.error


_UPDATING = re.compile(r"updating environment: (?:\[[^\]]*\] )?(\d+) added, (\d+) changed, (\d+) removed")


_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)(: .*)?$")


def run_build(src: Path, out: Path, *, fresh: bool = True, builder: str = "html", timeout: float = 1800, jobs: str = "") -> Run:
    """One ``sphinx-build`` in a child process; ``fresh`` removes ``out`` and passes ``-E``;
    ``jobs`` is ``-j``'s value (``""``: serial)."""
    if fresh:
        shutil.rmtree(out, ignore_errors=True)
    parallel = ["-j", jobs] if jobs else []
    command = [sys.executable, "-m", "sphinx", "build", *(["-E"] if fresh else []), *parallel, "-b", builder, str(src), str(out)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out_text, err_text = stdout.read().decode(errors="replace"), stderr.read().decode(errors="replace")
    match = _UPDATING.search(out_text)
    read = int(match.group(1)) + int(match.group(2)) if match else None
    warnings = sum(1 for line in err_text.splitlines() if "WARNING" in line)
    error = ""
    if elapsed > timeout:
        error = f"timed out after {timeout:.0f} s"
    elif process.returncode != 0:
        lines = [line.strip() for line in err_text.strip().splitlines() if line.strip()]
        # A Sphinx crash report ends in boilerplate: show the exception itself.
        exception = next((line for line in reversed(lines) if _EXCEPTION.match(line)), None)
        error = f"exit status {process.returncode}: " + (exception or (" / ".join(lines[-2:]) if lines else "(no output)"))
    return Run(elapsed, usage.ru_maxrss / 1024, read, warnings, error)  # Linux reports KiB


def measure(src: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one full html build in a child process."""
    run = run_build(src, out)
    if not run.ok:
        raise SystemExit(f"build of {src} failed: {run.error}")
    if run.warnings:
        print(f"  ({run.warnings} warnings from {src.name})", file=sys.stderr)
    return run.seconds, run.peak_mb


#: Every ratio of one ``--compare`` run, printed together at the end.
SUMMARY: dict[str, str] = {}


def compare_static(root: Path, args: argparse.Namespace, with_static: bool = True) -> float:
    """The extension vs. the raw-HTML floor (and, ``with_static``, vs. the same pages written
    by hand); a no-change rebuild vs. the floor. Returns extension/floor wall time."""
    ops = generate_spec(root, args.resources, args.paths)
    count = sum(len(o) for o in ops.values())
    ext = extension_project(root)
    print(f"Swagger 1.2 extension vs. the raw-HTML floor{' and hand-written reST' if with_static else ''}: "
          f"{count} operations in {len(ops)} resources; {args.repeat} build(s) per variant (the fastest counts)")
    results: dict[str, tuple[float, float]] = {}

    def record(name: str, runs: list[tuple[float, float]]) -> None:
        results[name] = (min(r[0] for r in runs), max(r[1] for r in runs))
        print(f"  {name:<18} {results[name][0]:7.2f} s  {results[name][1]:7.1f} MB peak")

    record("extension", [measure(ext, root / "_build" / "extension") for _ in range(args.repeat)])
    rebuilds = []
    for _ in range(args.repeat):  # nothing changed, no -E: what an edit-and-look cycle costs at least
        run = run_build(ext, root / "_build" / "extension", fresh=False, timeout=args.timeout)
        if not run.ok:
            raise SystemExit(f"rebuild of {ext} failed: {run.error}")
        rebuilds.append((run.seconds, run.peak_mb))
    record("no-change rebuild", rebuilds)
    floor = floor_project(root, ext, root / "_build" / "extension")
    record("floor (raw HTML)", [measure(floor, root / "_build" / "floor") for _ in range(args.repeat)])
    if with_static:
        record("static reST", [measure(static_project(root, ops), root / "_build" / "static") for _ in range(args.repeat)])
    ratio = results["extension"][0] / results["floor (raw HTML)"][0]
    SUMMARY["Swagger 1.2 extension / floor"] = f"{ratio:6.2f} x   (goal <= 1.5)"
    SUMMARY["no-change rebuild / floor"] = f"{results['no-change rebuild'][0] / results['floor (raw HTML)'][0]:6.2f} x   (goal <= 0.5)"
    print(f"  ratio extension/floor {ratio:5.2f} x time, {results['extension'][1] / results['floor (raw HTML)'][1]:5.2f} x memory")
    if with_static:
        static_ratio = results["extension"][0] / results["static reST"][0]
        SUMMARY["Swagger 1.2 extension / static reST"] = f"{static_ratio:6.2f} x"
        print(f"  ratio extension/static {static_ratio:5.2f} x time, {results['extension'][1] / results['static reST'][1]:5.2f} x memory")
    pages = sorted(p.name for p in (root / "_build" / "extension" / "api").glob("*.html"))
    print(f"  extension pages under api/: {len(pages)} ({pages[0]} ... {pages[-1]})")
    return ratio


def versions_project(root: Path, name: str, versions: list[str]) -> Path:
    """A project documenting ``versions`` (``root/<version>/specs`` and ``filters``) with
    ``apidocs_versions``, each version's pages generated in ``api/<version>``, and a page of
    the changes between the first and the last."""
    src = root / name
    src.mkdir(parents=True, exist_ok=True)
    entries = {v: {"spec": f"../{v}/specs", "filters": f"../{v}/filters", "pages": f"api/{v}"} for v in versions}
    (src / "conf.py").write_text(CONF_COMMON + f'extensions = ["sphinx_apidocs"]\napidocs_versions = {entries!r}\n')
    pages = "".join(f"   api/{v}/index\n" for v in versions)
    if len(versions) > 1:
        (src / "changes.rst").write_text(f"Changes\n=======\n\n.. api:changes:: {versions[0]} {versions[-1]}\n")
        pages += "   changes\n"
    (src / "index.rst").write_text(INDEX.format(entries=pages))
    return src


def next_version(old: Path, new: Path) -> None:
    """``new`` = the API of ``old`` one version later: the first operation of every fifth
    resource removed, one operation added to each of those resources (a realistic next version:
    most operations shared, some removed, some added)."""
    shutil.copytree(old, new)
    for index, declaration in enumerate(sorted((new / "specs").glob("*.json"))):
        if declaration.name == "api-docs.json" or index % 5:
            continue
        document = json.loads(declaration.read_text())
        first = document["apis"][0]["operations"].pop(0)
        added = dict(first, nickname=first["nickname"] + "-v2", summary="New in v2")
        document["apis"].append({"path": document["apis"][0]["path"] + "/v2-only", "operations": [added]})
        declaration.write_text(json.dumps(document, indent=1))
        filters = new / "filters" / (declaration.stem + ".yaml")
        kept = [line for line in filters.read_text().splitlines(keepends=True) if not line.startswith(f"{first['nickname']}:")]
        filters.write_text("".join(kept) + f"{added['nickname']}: [{', '.join(FIELDS)}]\n")


def compare_versions(root: Path, args: argparse.Namespace) -> float:
    """Two API versions in one build (pickers, the changes page) vs. one version alone."""
    base = root / "versions"
    generate_spec(base / "v1", args.resources, args.paths)
    next_version(base / "v1", base / "v2")
    one, two = versions_project(base, "one", ["v2"]), versions_project(base, "two", ["v1", "v2"])
    print(f"\napidocs_versions: two versions in one build vs. one ({args.repeat} build(s) each, taken in turns; the fastest counts)")
    runs: dict[str, list[tuple[float, float]]] = {"one version": [], "two versions": []}
    for _ in range(args.repeat):
        runs["one version"].append(measure(one, base / "_build" / "one"))
        runs["two versions"].append(measure(two, base / "_build" / "two"))
    best = {name: (min(r[0] for r in found), max(r[1] for r in found)) for name, found in runs.items()}
    for name, (seconds, peak) in best.items():
        print(f"  {name:<18} {seconds:7.2f} s  {peak:7.1f} MB peak")
    ratio = best["two versions"][0] / best["one version"][0]
    SUMMARY["two versions / one version"] = f"{ratio:6.2f} x   (goal <= 2.2)"
    return ratio


def compile_package() -> None:
    """Bytecode for the package, as ``pip install`` leaves it (Sphinx and sphinxcontrib-openapi,
    installed from wheels, have theirs): an editable checkout under PYTHONDONTWRITEBYTECODE
    would otherwise compile every module again in every build it is timed in."""
    import compileall

    compileall.compile_dir(str(REPO / "sphinx_apidocs"), quiet=1)
    print("sphinx_apidocs compiled to bytecode first, as an installed package is")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", choices=("all", "static", "floor", "openapi", "versions"), default="all",
                        help="floor: vs. the raw-HTML floor; static: also vs. hand-written reST; "
                             "openapi: vs. sphinxcontrib-openapi; versions: two API versions vs. one; "
                             "all: everything (default)")
    parser.add_argument("--resources", type=int, default=40)
    parser.add_argument("--paths", type=int, default=10, help="paths per resource (two operations each)")
    parser.add_argument("--repeat", type=int, default=1, help="builds per variant of --compare static; the fastest counts")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--check", type=float, help="exit 1 if extension/static wall time exceeds this ratio")
    parser.add_argument("--check-openapi", type=float,
                        help="exit 1 unless sphinx_apidocs is this many times faster than sphinxcontrib-openapi (generated spec, full build)")
    parser.add_argument("--no-stripe", action="store_true", help="--compare openapi: only the generated spec")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per build (default 1800)")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="apidocs-bench-"))
    status = 0
    compile_package()
    try:
        if args.compare in ("all", "static", "floor"):
            compare_static(root, args, with_static=args.compare != "floor")
            time_ratio = float(SUMMARY.get("Swagger 1.2 extension / static reST", "nan x").split()[0])
            if args.check is not None and args.compare != "floor" and time_ratio > args.check:
                print(f"FAIL: time ratio {time_ratio:.2f} > {args.check}")
                status = 1
        if args.compare in ("all", "versions"):
            compare_versions(root, args)
        if args.compare in ("all", "openapi"):
            speedup = compare_openapi(root, args)
            if args.check_openapi is not None and (speedup is None or speedup < args.check_openapi):
                shown = "not measured" if speedup is None else f"{speedup:.1f} x"
                print(f"FAIL: sphinx_apidocs speed-up over sphinxcontrib-openapi {shown} < {args.check_openapi} x")
                status = 1
        if SUMMARY:
            print("\nAll ratios of this run (wall time; the fastest of --repeat builds where repeated)")
            for label, value in SUMMARY.items():
                print(f"  {label:<44} {value}")
        return status
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
