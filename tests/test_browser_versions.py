"""The version picker in real browsers, in four themes, wide and narrow.

The sample API's two versions (``sample_versions/v1`` and the sample as ``v2``) are built once
per theme with ``apidocs_versions``; headless Chromium opens v1's users page (whose operations
have pickers: one linked pill, one removed-in-v2 operation) at 1400 and 400 px and measures,
for every picker: its pills sit on the label's line (their vertical centres within 4 px of the
label's when on its line box), nothing reaches past the paragraph, the pill of the version shown
is filled and the linked ones are not, and each link is a pill with a visible border.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sphinx_projects.buildtools import REPO, SAMPLE_FILTERS, SAMPLE_SPECS, build
from test_browser_layout import THEMES, WIDTHS, chromium, http_root, needs_chromium

CONF = f'''\
project = "Sample API"
html_title = "Sample API"
extensions = ["sphinx_apidocs"]
apidocs_versions = {{
    "v1": {{"spec": {str(REPO / "sample_versions" / "v1" / "sample_specs")!r},
            "filters": {str(REPO / "sample_versions" / "v1" / "output_filters")!r}, "pages": "api/v1"}},
    "v2": {{"spec": {str(SAMPLE_SPECS)!r}, "filters": {str(SAMPLE_FILTERS)!r}, "pages": "api/v2"}},
}}
exclude_patterns = ["_build"]
'''
INDEX = "Sample API\n==========\n\n.. toctree::\n\n   api/v1/index\n   api/v2/index\n"

HARNESS = r'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>picker harness</title></head>
<body><pre id="out">pending</pre>
<script>
const JOBS = %(jobs)s;
function measure(win) {
  const found = [];
  for (const p of win.document.querySelectorAll("p.api-versions")) {
    const box = p.getBoundingClientRect();
    const label = p.querySelector("strong").getBoundingClientRect();
    const pills = [...p.querySelectorAll("code.literal")].map(code => {
      const r = code.getBoundingClientRect();
      const style = win.getComputedStyle(code);
      return {
        linked: !!code.closest("a"), right: r.right, top: r.top, height: r.height,
        centre: r.top + r.height / 2, background: style.backgroundColor,
        border: style.borderTopWidth + " " + style.borderTopStyle + " " + style.borderTopColor,
        radius: parseFloat(style.borderTopLeftRadius),
      };
    });
    found.push({right: box.right, labelCentre: label.top + label.height / 2, labelTop: label.top,
                labelHeight: label.height, pills: pills});
  }
  return found;
}
const frames = JOBS.map(job => {
  const frame = document.createElement("iframe");
  frame.width = job.width; frame.height = 900;
  document.body.appendChild(frame);
  const loaded = new Promise(resolve => frame.addEventListener("load", resolve, {once: true}));
  frame.src = job.url;
  return loaded.then(() => frame.contentDocument.fonts.ready).then(() => frame);
});
Promise.all(frames).then(loaded => {
  const results = loaded.map((frame, i) => Object.assign({}, JOBS[i], {pickers: measure(frame.contentWindow)}));
  document.getElementById("out").textContent = "RESULT" + JSON.stringify(results) + "END";
});
</script></body></html>
'''


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    root = tmp_path_factory.mktemp("pickers")
    src = root / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    (src / "index.rst").write_text(INDEX)
    jobs = []
    for theme in THEMES:
        result = build(src, root / "site" / theme, overrides={"html_theme": theme}, doctreedir=root / "doctrees" / theme, fresh=True)
        assert result.statuscode == 0 and result.warning_lines() == [], result.warnings
        jobs += [{"theme": theme, "width": width, "url": f"site/{theme}/api/v1/users.html"} for width in WIDTHS]
    (root / "harness.html").write_text(HARNESS % {"jobs": json.dumps(jobs)})
    with http_root(root) as base:
        done = chromium([f"--window-size={max(WIDTHS) + 40},900", "--virtual-time-budget=30000", "--dump-dom", f"{base}/harness.html"])
    found = re.search(r"RESULT(.*?)END", done.stdout, re.S)
    assert found, done.stderr[-3000:]
    results: list[dict[str, Any]] = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    return results


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("theme", THEMES)
def test_pickers_are_pills_on_the_label_line(measured: list[dict[str, Any]], theme: str, width: int) -> None:
    (result,) = [r for r in measured if r["theme"] == theme and r["width"] == width]
    pickers = result["pickers"]
    assert len(pickers) == 3, result  # every operation of v1's users page has one
    assert any(any(p["linked"] for p in picker["pills"]) for picker in pickers)  # a link to v2
    assert any(not any(p["linked"] for p in picker["pills"]) for picker in pickers)  # removed in v2: none
    for picker in pickers:
        shown = [p for p in picker["pills"] if not p["linked"]]
        assert len(shown) == 1, picker  # the version on this page
        for pill in picker["pills"]:
            assert pill["right"] <= picker["right"] + 1, (theme, width, picker)
            assert pill["radius"] >= 4 and "solid" in pill["border"], pill  # a pill with a border
            if abs(pill["top"] - picker["labelTop"]) < picker["labelHeight"]:  # on the label's line
                assert abs(pill["centre"] - picker["labelCentre"]) <= 4, (theme, width, pill, picker)
        for pill in picker["pills"]:
            if pill["linked"]:
                assert pill["background"] != shown[0]["background"], (theme, width, picker)
        assert shown[0]["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), (theme, width, shown)
