"""Screenshots of the sample API reference in four themes, wide and narrow, light and dark.

    python scripts/screenshots.py OUTDIR [--page reference/contracts.html] [--no-css] [--theme T ...]

Builds the sample reference exactly as ``tests/test_browser_layout.py`` does (its
``build_sites``: ``sample_specs/`` on a loopback endpoint, ``output_filters/``, the generated
resource pages) once per theme, serves the sites on loopback HTTP and has headless Chromium
(``/usr/bin/chromium``, or ``APIDOCS_CHROMIUM``) write PNGs into OUTDIR:
``<theme>-<width>-<light|dark>.png`` — the top of the page (the resource and its first
operation: the windows are 1400x1400 and 400x1800). Dark shots only for the themes that have a dark mode (furo, pydata).
``--no-css`` removes ``_static/apidocs.css`` from the built sites: the "before" pictures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import test_browser_layout as layout  # noqa: E402

DARK_THEMES = ("furo", "pydata_sphinx_theme")
HEIGHTS = {1400: 1400, 400: 1800}  # the top of the page: the resource and its first operation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--page", default=f"{layout.RESOURCE_PAGES}/contracts.html")
    parser.add_argument("--theme", action="append", choices=layout.THEMES, help="default: all four")
    parser.add_argument("--no-css", action="store_true", help="without apidocs.css (the 'before' pictures)")
    args = parser.parse_args(argv)
    if not layout.CHROMIUM.is_file():
        print(f"screenshots: {layout.CHROMIUM} is missing (apt-get install chromium)", file=sys.stderr)
        return 1
    args.outdir.mkdir(parents=True, exist_ok=True)
    themes = tuple(args.theme or layout.THEMES)
    with tempfile.TemporaryDirectory(prefix="apidocs-shots-") as tmp:
        root = Path(tmp)
        sites = layout.build_sites(root, themes)
        if args.no_css:
            for site in sites.values():
                (site / "_static" / "apidocs.css").unlink(missing_ok=True)
        with layout.http_root(root) as base:
            for theme, site in sites.items():
                for width in layout.WIDTHS:
                    for scheme in ("light", "dark") if theme in DARK_THEMES else ("light",):
                        png = args.outdir / f"{theme}-{width}-{scheme}.png"
                        done = layout.chromium([
                            f"--window-size={width},{HEIGHTS[width]}", "--virtual-time-budget=5000",
                            *(["--force-dark-mode"] if scheme == "dark" else []),  # prefers-color-scheme: dark
                            f"--screenshot={png}", f"{base}/{site.relative_to(root).as_posix()}/{args.page}",
                        ], timeout=60)
                        if done.returncode != 0 or not png.exists():
                            print(done.stderr[-2000:], file=sys.stderr)
                            return 1
                        print(png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
