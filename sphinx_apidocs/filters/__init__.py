"""Runtime whitelist output filters: parse filter files, list their paths, apply them fast.

Imports neither Sphinx nor docutils, so a service can use it on its own::

    from sphinx_apidocs.filters import load_filters
    filters = load_filters("output_filters")
    body = filters["get-auth-user-info"](response)
    body = filters.select("get-auth-user-info", "info.ref, auth_user")(response)  # a client's fields=
    partner = load_filters("output_filters", audience="partner")  # order: output_filters/audiences.yaml
"""

from __future__ import annotations

from sphinx_apidocs.filters.codegen import module_source
from sphinx_apidocs.filters.compile import Filter, compile_filter, compile_plan
from sphinx_apidocs.filters.errors import FieldSelectionError, FilterError, Location, UnknownOperationError
from sphinx_apidocs.filters.audiences import ORDER_FILE, check_order
from sphinx_apidocs.filters.load import (
    CompiledFilters,
    audience_layers,
    audience_order,
    duplicate_nickname,
    filter_files,
    load_filter_trees,
    load_filters,
)
from sphinx_apidocs.filters.names import escape_name, split_dotted
from sphinx_apidocs.filters.narrow import intersect, select_tree
from sphinx_apidocs.filters.parse import LoadedFilter, parse_filter_bytes, parse_filter_file, parse_filter_text
from sphinx_apidocs.filters.paths import dotted_paths
from sphinx_apidocs.filters.plan import Plan, plan_of
from sphinx_apidocs.filters.request import split_fields
from sphinx_apidocs.filters.select import FieldSelector, SelectionCacheInfo
from sphinx_apidocs.filters.tree import FilterTree, union_trees

__all__ = [
    "ORDER_FILE",
    "audience_layers",
    "audience_order",
    "check_order",
    "CompiledFilters",
    "FieldSelectionError",
    "FieldSelector",
    "Filter",
    "FilterError",
    "FilterTree",
    "LoadedFilter",
    "Location",
    "compile_filter",
    "compile_plan",
    "dotted_paths",
    "escape_name",
    "filter_files",
    "intersect",
    "duplicate_nickname",
    "load_filter_trees",
    "load_filters",
    "module_source",
    "parse_filter_bytes",
    "parse_filter_file",
    "parse_filter_text",
    "Plan",
    "plan_of",
    "select_tree",
    "SelectionCacheInfo",
    "split_dotted",
    "split_fields",
    "UnknownOperationError",
    "union_trees",
]
