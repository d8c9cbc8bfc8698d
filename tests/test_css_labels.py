"""On narrow screens every table row is a card whose cells are labelled by the shipped CSS
(``td:nth-of-type(N) { --apidocs-cell: "Label" }``, the last column by ``nth-last-of-type``).
The labels are CSS, not markup, so this test holds them to the tables the pages really have:
for every kind of API table in a real build, each column's label is its header."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sphinx_projects.buildtools import build, copy_project

CSS = Path(__file__).resolve().parents[1] / "sphinx_apidocs" / "sphinxext" / "static" / "apidocs.css"
_RULE = re.compile(r'table\.(api-[a-z-]+) > tbody > tr > td:nth-(last-)?of-type\((\d+)\) \{ --apidocs-cell: "([^"]*)"; \}')


class _Headers(HTMLParser):
    """The header labels of each ``api-table``, by its kind (``api-parameters``...)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {}
        self._kind: str | None = None
        self._in_th = False
        self._labels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "api-table" in classes:
            self._kind = next(c for c in classes if c.startswith("api-") and c != "api-table")
            self._labels = []
        elif tag == "th" and self._kind:
            self._in_th = True
            self._labels.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_th = False
        elif tag == "thead" and self._kind:
            self.found.setdefault(self._kind, [label.strip() for label in self._labels])
            self._kind = None

    def handle_data(self, data: str) -> None:
        if self._in_th:
            self._labels[-1] += data


def css_labels() -> dict[str, dict[int, str]]:
    """Per table kind: column position (1-based; negative from the end) -> label."""
    labels: dict[str, dict[int, str]] = {}
    for kind, last, number, label in _RULE.findall(CSS.read_text()):
        labels.setdefault(kind, {})[-int(number) if last else int(number)] = label
    return labels


def test_every_column_of_every_api_table_has_its_label(tmp_path: Path) -> None:
    src = copy_project("basic", tmp_path)
    (src / "index.rst").write_text((src / "index.rst").read_text() + "\n.. api:spec::\n   :operations:\n   :full:\n   :no-index:\n")
    result = build(src, tmp_path / "html")
    parser = _Headers()
    for page in result.outdir.rglob("*.html"):
        parser.feed(page.read_text())
    tables = parser.found
    assert {"api-parameters", "api-responses", "api-output-fields", "api-model", "api-resources", "api-auth"} <= set(tables)
    labels = css_labels()
    for kind, headers in tables.items():
        assert kind in labels, f"no narrow-screen labels for {kind} (columns {headers})"
        for position, header in enumerate(headers, start=1):
            label = labels[kind].get(position) or labels[kind].get(position - len(headers) - 1)
            assert label == header, (kind, position, header, label)
