"""The generated reference fits its column in real browsers, in four themes, wide and narrow.

The sample API (``sample_specs/``, served on a loopback endpoint, with ``output_filters/``)
is built once per theme — furo, sphinx-rtd-theme, pydata-sphinx-theme, alabaster — with the
generated resource pages, as ``docs/`` builds it. The built sites are served over loopback
HTTP and opened in headless Chromium: one harness page holds every page of every theme in an
iframe 1400 or 400 px wide and 900 px high (an iframe is a viewport of its own: media queries,
``window.innerWidth`` and layout are those of a window of that size), measures them with
JavaScript once they have loaded, and writes the figures as JSON into its own DOM, which
``chromium --dump-dom`` prints. One Chromium run measures everything.

Asserted for each theme and width: no parameter/model/... table (``table.api-table``) and no
signature of an API object (``dl.api > dt.sig``) is wider than its containing column (the
parent's client width, 1 px tolerance), and the document does not scroll sideways
(``documentElement.scrollWidth <= innerWidth``).

Skipped when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it). ``scripts/screenshots.py``
builds the same sites (:func:`build_sites`) and takes PNGs of them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from sphinx_apidocs.spec.serve import serving
from sphinx_projects.buildtools import SAMPLE_FILTERS, SAMPLE_SPECS, build

CHROMIUM = Path(os.environ.get("APIDOCS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--mute-audio",
)
THEMES = ("furo", "sphinx_rtd_theme", "pydata_sphinx_theme", "alabaster")
WIDTHS = (1400, 400)
HEIGHT = 900
TOLERANCE = 1  # px: sub-pixel rounding of widths
RESOURCE_PAGES = "reference"

CONF = '''\
# The sample API reference, as docs/ builds it; html_theme comes from the build's overrides.
project = "Sample API"
html_title = "Sample API"  # pydata's navbar overflows a 400 px window with a longer title
extensions = ["sphinx_apidocs"]
apidocs_filters = {filters!r}
apidocs_resource_pages = {pages!r}
apidocs_field_selection = True
exclude_patterns = ["_build"]
copyright = "2025, sphinx_apidocs"
version = release = "1.0"
'''
INDEX = f'''\
Sample API
==========

.. toctree::
   :maxdepth: 2

   {RESOURCE_PAGES}/index
'''


def build_sites(root: Path, themes: tuple[str, ...] = THEMES) -> dict[str, Path]:
    """Build the sample reference once per theme into ``root/site/<theme>``; the spec is read
    from a loopback endpoint serving ``sample_specs/``. Returns theme -> output folder."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(CONF.format(filters=str(SAMPLE_FILTERS), pages=RESOURCE_PAGES))
    (src / "index.rst").write_text(INDEX)
    sites: dict[str, Path] = {}
    with serving(str(SAMPLE_SPECS)) as url:
        for theme in themes:
            result = build(
                src, root / "site" / theme, overrides={"html_theme": theme, "apidocs_spec": url},
                doctreedir=root / "doctrees" / theme, fresh=True,
            )
            assert result.statuscode == 0, result.warnings
            assert result.warning_lines() == [], result.warnings
            sites[theme] = result.outdir
    return sites


def pages(site: Path) -> list[str]:
    """The generated reference pages of a built site (relative URLs)."""
    return sorted(f"{RESOURCE_PAGES}/{page.name}" for page in (site / RESOURCE_PAGES).glob("*.html"))


@contextmanager
def http_root(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) for the block; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="layout-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def chromium(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="apidocs-chromium-") as profile:
        return subprocess.run(
            [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=timeout,
        )


#: The harness: one iframe per job (a page at a width), measured once all have loaded.
HARNESS = r'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>layout harness</title>
<style>body{margin:0} iframe{display:block;border:0;margin:0 0 8px 0}</style></head>
<body><pre id="apidocs-layout">pending</pre>
<script>
const JOBS = %(jobs)s;
const HEIGHT = %(height)d;

function px(value) { return Math.round(value * 100) / 100; }

function describe(element) {
  const owner = element.closest("dl.api");
  const sig = owner && owner.querySelector(":scope > dt.sig");
  const cls = [...element.classList].filter(c => c.startsWith("api-") && c !== "api-table").join(" ");
  return (sig && sig.id ? "#" + sig.id + " " : "") + element.tagName.toLowerCase() + (cls ? "." + cls : "");
}

function clipped(element) {  // inside a box that clips or scrolls: no overflow of the page
  const view = element.ownerDocument.defaultView;
  for (let box = element.parentElement; box && box !== element.ownerDocument.body; box = box.parentElement) {
    if (view.getComputedStyle(box).overflowX !== "visible") return true;
  }
  return false;
}

function measure(win) {
  const doc = win.document;
  const boxes = [];
  const add = (kind, element) => {
    const rect = element.getBoundingClientRect();
    if (!rect.width) return;  // not rendered
    boxes.push({
      kind: kind, what: describe(element),
      width: px(Math.max(rect.width, element.scrollWidth)),
      column: element.parentElement.clientWidth,
    });
  };
  doc.querySelectorAll("table.api-table").forEach(t => add("table", t));
  doc.querySelectorAll("dl.api > dt.sig").forEach(dt => add("signature", dt));
  const badge = doc.querySelector(".api-method");
  const beyond = [];  // the outermost elements reaching past the window's right edge
  for (const element of doc.body.querySelectorAll("*")) {
    const right = element.getBoundingClientRect().right;
    const parent = element.parentElement;
    if (right > win.innerWidth + 1 && parent.getBoundingClientRect().right <= win.innerWidth + 1 && beyond.length < 5 && !clipped(element)) {
      beyond.push(element.tagName.toLowerCase() + (element.className && element.className.baseVal === undefined ? "." + element.className.trim().split(/\s+/).join(".") : "") + " (right edge " + px(right) + ")");
    }
  }
  return {
    beyond: beyond,
    innerWidth: win.innerWidth,
    scrollWidth: doc.documentElement.scrollWidth,
    styled: win.getComputedStyle(doc.documentElement).getPropertyValue("--apidocs-css").trim(),
    badge: badge ? win.getComputedStyle(badge).backgroundColor : null,
    boxes: boxes,
  };
}

const frames = JOBS.map(job => {
  const frame = document.createElement("iframe");
  frame.width = job.width;
  frame.height = HEIGHT;
  document.body.appendChild(frame);
  const loaded = new Promise(resolve => frame.addEventListener("load", resolve, {once: true}));
  frame.src = job.url;
  return loaded.then(() => frame.contentDocument.fonts.ready).then(() => frame);
});
Promise.all(frames).then(loaded => new Promise(resolve => setTimeout(() => resolve(loaded), 200)))
  .then(loaded => {
    const results = loaded.map((frame, i) => {
      try { return Object.assign({}, JOBS[i], measure(frame.contentWindow)); }
      catch (error) { return Object.assign({}, JOBS[i], {error: String(error)}); }
    });
    document.getElementById("apidocs-layout").textContent = "RESULT" + JSON.stringify(results) + "END";
  });
</script></body></html>
'''
_RESULT = re.compile(r"RESULT(.*?)END", re.S)


def measure_layout(root: Path, jobs: list[dict[str, Any]], height: int = HEIGHT) -> list[dict[str, Any]]:
    """Measure pages under ``root`` (jobs: ``{"url": relative URL, "width": px, ...}``) in one
    Chromium run; returns the jobs with their figures."""
    (root / "layout-harness.html").write_text(HARNESS % {"jobs": json.dumps(jobs), "height": height})
    widest = max(job["width"] for job in jobs)
    with http_root(root) as base:
        done = chromium([
            f"--window-size={widest + 40},{height}", "--virtual-time-budget=30000", "--dump-dom",
            f"{base}/layout-harness.html",
        ])
    found = _RESULT.search(done.stdout)
    assert found, f"no measurements from chromium (status {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    results: list[dict[str, Any]] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return results


def overflows(result: dict[str, Any]) -> list[str]:
    """What is too wide in one measured page (empty: it fits)."""
    problems = [
        f"{box['kind']} {box['what']}: {box['width']} px in a {box['column']} px column"
        for box in result["boxes"] if box["width"] > box["column"] + TOLERANCE
    ]
    if result["scrollWidth"] > result["innerWidth"]:
        problems.append(
            f"the document is {result['scrollWidth']} px wide in a {result['innerWidth']} px window "
            f"(reaching out: {', '.join(result['beyond']) or '?'})"
        )
    return problems


def summary(results: list[dict[str, Any]]) -> str:
    """One line per page: the widest table and signature against their columns."""
    lines = []
    for result in results:
        widest = {}
        for kind in ("table", "signature"):
            boxes = [box for box in result["boxes"] if box["kind"] == kind]
            if boxes:
                box = max(boxes, key=lambda b: b["width"] - b["column"])
                widest[kind] = f"{box['width']:.0f}/{box['column']}"
        lines.append(
            f"{result['theme']:20} {result['width']:5} {result['page']:24} table {widest.get('table', '-'):>10}  "
            f"signature {widest.get('signature', '-'):>10}  document {result['scrollWidth']}/{result['innerWidth']}"
        )
    return "\n".join(lines)


def layout_jobs(sites: dict[str, Path], root: Path) -> list[dict[str, Any]]:
    return [
        {"theme": theme, "page": page, "width": width, "url": f"{site.relative_to(root).as_posix()}/{page}"}
        for theme, site in sites.items()
        for width in WIDTHS
        for page in pages(site)
    ]


# -- the tests ------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)),
    reason=f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)",
)


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    root = tmp_path_factory.mktemp("layout")
    sites = build_sites(root)
    results = measure_layout(root, layout_jobs(sites, root))
    print(summary(results))  # shown with -s or on failure: the figures per page
    return results


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_reference_fits_its_column(measured: list[dict[str, Any]], theme: str, width: int) -> None:
    results = [r for r in measured if r["theme"] == theme and r["width"] == width]
    assert {"reference/index.html", "reference/contracts.html"} <= {r["page"] for r in results}, results
    problems = []
    for result in results:
        assert "error" not in result, result
        assert result["innerWidth"] == width, result  # the iframe is a window of that width
        problems += [f"{result['page']}: {problem}" for problem in overflows(result)]
    assert problems == [], "\n" + "\n".join(problems)


@needs_chromium
def test_the_measure_sees_styled_tables_signatures_and_badges(measured: list[dict[str, Any]]) -> None:
    """Not a vacuous pass: every page was measured, with the extension's stylesheet applied,
    and the resource pages have their tables, signatures and coloured method badges."""
    for result in measured:
        assert result["styled"] == "1", result["url"]  # apidocs.css is loaded
        assert result["boxes"], result["url"]
    contracts = [r for r in measured if r["page"] == f"{RESOURCE_PAGES}/contracts.html"]
    assert len(contracts) == len(THEMES) * len(WIDTHS)
    for result in contracts:
        assert {"table", "signature"} <= {box["kind"] for box in result["boxes"]}, result["url"]
        assert result["badge"] not in (None, "rgba(0, 0, 0, 0)"), result["url"]  # a coloured method badge
