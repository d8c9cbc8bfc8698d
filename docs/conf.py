"""Sphinx configuration of the project's own documentation, built with the extension itself.

``APIDOCS_SPEC`` points the sample API reference at a live endpoint (see
``build_with_live_endpoint.py``); by default it is read from ``../sample_specs``.
"""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))  # build from a checkout without installing

from sphinx_apidocs import __version__  # noqa: E402

project = "sphinx_apidocs"
author = "The sphinx_apidocs authors"
copyright = "2025, " + author
version = release = __version__

extensions = ["sphinx_apidocs"]

apidocs_spec = os.environ.get("APIDOCS_SPEC", "../sample_specs")
apidocs_filters = os.environ.get("APIDOCS_FILTERS", "../output_filters")
apidocs_timeout = 10
apidocs_resource_pages = "reference"  # one generated page per resource of the sample API
apidocs_field_selection = True  # the sample service honours ?fields= (see field_selection.rst)
# The sample API's previous release (see changelog.rst); this build's spec is release 2026-12.
apidocs_changelog = [
    {
        "version": "2026-09",
        "date": "2026-09-01",
        "spec": "../sample_releases/2026-09/sample_specs",
        "filters": "../sample_releases/2026-09/output_filters",
    },
]
apidocs_changelog_current = "2026-12"
# The sample API in two path versions side by side (see versions.rst): v1 from files, v2 is the
# current one (from the live endpoint when the main command sets APIDOCS_SPEC).
apidocs_versions = {
    "v1": {
        "spec": "../sample_versions/v1/sample_specs",
        "filters": "../sample_versions/v1/output_filters",
        "pages": "versions/v1",
    },
    "v2": {"spec": apidocs_spec, "filters": apidocs_filters, "pages": "versions/v2"},
}

exclude_patterns = ["_build", "_apidocs_snapshot"]
html_theme = "alabaster"
html_title = f"sphinx_apidocs {version}"

# epub: the metadata EPUB 3 readers show (Sphinx's defaults are "unknown"). The epub builder
# packs every file of its output folder; ``sphinx-build -b epub docs OUT`` keeps its doctrees
# in OUT/.doctrees, which it would warn about one by one (fatal under -W) though they are
# never packed: those warnings are silenced. (build_with_live_endpoint.py puts the doctrees
# elsewhere anyway.)
epub_description = "API reference docs from a live Swagger endpoint, with whitelist output filters"
epub_publisher = author
suppress_warnings = ["epub.unknown_project_files"]

man_pages = [("index", "sphinx-apidocs", "API reference docs from a live Swagger endpoint", [author], 7)]
