"""Reading one filter file (YAML or JSON) into ``FilterTree``s, with a location for every error.

PyYAML's composer gives a node graph with a mark on every node, so each problem is reported as
``file:line:col: what is wrong``. JSON files are first checked by ``json`` (exact syntax errors),
then composed by PyYAML for the marks: valid JSON is valid YAML once its tabs — which JSON only
allows between tokens — become spaces; strings with escapes are re-decoded by ``json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sphinx_apidocs.filters.errors import FilterError, Location
from sphinx_apidocs.filters.names import split_dotted
from sphinx_apidocs.filters.tree import FilterTree, TreeBuilder

MAX_FIELDS = 100_000  # per nickname, counting shared (aliased) subtrees once per use

_TAG = "tag:yaml.org,2002:"
_KINDS = {
    _TAG + "null": "null",
    _TAG + "bool": "a boolean",
    _TAG + "int": "an integer",
    _TAG + "float": "a number",
    _TAG + "timestamp": "a date",
    _TAG + "binary": "binary data",
    _TAG + "merge": "a merge key ('<<')",
    _TAG + "value": "a value key ('=')",
}


class LoadedFilter(NamedTuple):
    """One operation's filter and where its nickname is defined."""

    tree: FilterTree
    location: Location


def parse_filter_file(path: str | os.PathLike[str], display: str | None = None) -> dict[str, LoadedFilter]:
    """Parse one ``.yaml``/``.yml``/``.json`` file; ``display`` is the name used in messages."""
    name = display if display is not None else os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FilterError(f"cannot read: {exc.strerror or exc}", name) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start - 3 if data.startswith(b"\xef\xbb\xbf") else exc.start
        prefix = data[: max(offset, 0)].decode("utf-8", "replace")
        raise FilterError("not valid UTF-8", _position(name, prefix, len(prefix))) from None
    return parse_filter_text(text, name, json_syntax=str(path).lower().endswith(".json"))


def parse_filter_text(text: str, display: str, *, json_syntax: bool = False) -> dict[str, LoadedFilter]:
    """Parse filter text; ``display`` names the file in messages. Empty text means no filters."""
    if json_syntax:
        if not text.strip():
            return {}
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise FilterError(f"invalid JSON: {exc.msg}", Location(display, exc.lineno, exc.colno)) from None
        except RecursionError:
            raise FilterError("invalid JSON: nested too deeply", Location(display, 1, 1)) from None
        text = text.replace("\t", " ")
    try:
        return _FileParser(text, display, json_syntax).parse()
    except RecursionError:
        raise FilterError("nested too deeply", Location(display, 1, 1)) from None


def _position(display: str, text: str, index: int) -> Location:
    """The 1-based line and column of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return Location(display, line, index - (text.rfind("\n", 0, index) + 1) + 1)


class _FileParser:
    """Walks the composed node graph of one file; field lists are memoized per node (aliases)."""

    def __init__(self, text: str, display: str, json_syntax: bool) -> None:
        self.text = text
        self.display = display
        self.json_syntax = json_syntax
        self.trees: dict[int, FilterTree] = {}
        self.active: set[int] = set()

    def at(self, node: Node) -> Location:
        return Location(self.display, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: Node, message: str) -> FilterError:
        return FilterError(message, self.at(node))

    def parse(self) -> dict[str, LoadedFilter]:
        root = self.compose()
        if root is None:
            return {}
        if not isinstance(root, MappingNode):
            raise self.fail(
                root,
                f"the top level must be a mapping of operation nickname -> field list, "
                f"found {self.kind(root)}",
            )
        result: dict[str, LoadedFilter] = {}
        for key_node, value_node in root.value:
            nickname = self.string(key_node, "an operation nickname")
            if nickname == "":
                raise self.fail(key_node, "empty operation nickname")
            if nickname in result:
                first = result[nickname].location
                raise self.fail(
                    key_node, f"duplicate nickname {nickname!r} (first defined at line {first.line})"
                )
            if self.is_null(value_node):
                raise self.fail(
                    value_node, f"operation {nickname!r} has a null field list (write [] for no fields)"
                )
            tree = self.field_list(value_node, f"operation {nickname!r}")
            if tree.size() > MAX_FIELDS:
                raise self.fail(
                    key_node, f"operation {nickname!r} expands to more than {MAX_FIELDS} fields"
                )
            result[nickname] = LoadedFilter(tree, self.at(key_node))
        return result

    def compose(self) -> Node | None:
        try:
            return yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "syntax error"
            if exc.context and problem.startswith("but "):  # "expected X" + "but found Y"
                problem = f"{exc.context}, {problem}"
            location = (
                Location(self.display, mark.line + 1, mark.column + 1)
                if mark is not None
                else Location(self.display, 1, 1)
            )
            syntax = "JSON" if self.json_syntax else "YAML"
            raise FilterError(f"invalid {syntax}: {problem}", location) from None
        except yaml.reader.ReaderError as exc:
            raise FilterError(
                f"invalid character {chr(exc.character)!a}" if isinstance(exc.character, int) else str(exc.reason),
                _position(self.display, self.text, exc.position),
            ) from None
        except yaml.YAMLError as exc:
            raise FilterError(f"invalid YAML: {exc}", Location(self.display, 1, 1)) from None

    def kind(self, node: Node) -> str:
        """What a node is, for messages: ``a list``, ``an integer (3)``, ``null``..."""
        if isinstance(node, SequenceNode):
            return "a list"
        if isinstance(node, MappingNode):
            return "a mapping"
        if self.json_syntax:
            if node.style == '"':
                return f"a string {self.scalar_text(node)!r}"
            value = json.loads(node.value)
            kind = {bool: "a boolean", int: "an integer", float: "a number"}.get(type(value), "null")
            return kind if value is None else f"{kind} ({node.value})"
        if node.tag == _TAG + "str":
            return f"a string {node.value!r}"
        kind = _KINDS.get(node.tag, f"a value tagged {node.tag!r}")
        return kind if node.tag == _TAG + "null" else f"{kind} ({node.value})"

    def is_null(self, node: Node) -> bool:
        if not isinstance(node, ScalarNode):
            return False
        return node.value == "null" and node.style is None if self.json_syntax else node.tag == _TAG + "null"

    def scalar_text(self, node: ScalarNode) -> str:
        """A string scalar's value; JSON strings with escapes are decoded by ``json``."""
        if self.json_syntax and "\\" in self.text[node.start_mark.index : node.end_mark.index]:
            return json.loads(self.text[node.start_mark.index : node.end_mark.index])
        return node.value

    def string(self, node: Node, what: str) -> str:
        """The text of a string scalar, or an error saying ``what`` must be a string."""
        is_string = isinstance(node, ScalarNode) and (
            node.style == '"' if self.json_syntax else node.tag == _TAG + "str"
        )
        if not is_string:
            hint = ""
            if (
                isinstance(node, ScalarNode)
                and not self.json_syntax
                and node.style is None
                and node.tag.startswith(_TAG)
            ):
                hint = "; quote it to use it as a name"
            raise self.fail(node, f"{what} must be a string, found {self.kind(node)}{hint}")
        return self.scalar_text(node)

    def dotted(self, node: Node) -> tuple[tuple[str, ...], bool]:
        """A field entry's names and whether it ends in ``*``."""
        try:
            return split_dotted(self.string(node, "a field name"))
        except ValueError as exc:
            raise self.fail(node, str(exc)) from None

    def field_list(self, node: Node, owner: str) -> FilterTree:
        """The tree for a list or mapping of fields; each node is parsed once (aliases)."""
        key = id(node)
        tree = self.trees.get(key)
        if tree is not None:
            return tree
        if key in self.active:
            raise self.fail(node, "recursive alias: this field list contains itself")
        if not isinstance(node, (SequenceNode, MappingNode)):
            raise self.fail(
                node, f"expected a field list (a list or a mapping) for {owner}, found {self.kind(node)}"
            )
        self.active.add(key)
        builder = TreeBuilder()
        if isinstance(node, SequenceNode):
            for item in node.value:
                self.add_item(builder, item, owner)
        else:
            self.add_mapping(builder, node)
        self.active.discard(key)
        tree = self.trees[key] = builder.build()
        return tree

    def add_item(self, builder: TreeBuilder, item: Node, owner: str) -> None:
        """A list item: a (dotted) leaf name, a mapping of containers, or a nested list (spliced)."""
        if isinstance(item, MappingNode):
            self.add_mapping(builder, item)
        elif isinstance(item, SequenceNode):
            builder.add((), tree=self.field_list(item, owner))
        else:
            if self.is_null(item):
                raise self.fail(item, f"null item in the field list of {owner}")
            segments, star = self.dotted(item)
            builder.add(segments, star=star)

    def add_mapping(self, builder: TreeBuilder, node: MappingNode) -> None:
        """``name: field list`` entries (a ``<<`` merge key unions its field list in)."""
        seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == _TAG + "merge" and not self.json_syntax:
                builder.add((), tree=self.field_list(value_node, "'<<'"))
                continue
            name = self.string(key_node, "a field name")
            if name in seen:
                first = seen[name].start_mark
                raise self.fail(
                    key_node,
                    f"duplicate key {name!r} (first at line {first.line + 1}, column {first.column + 1})",
                )
            seen[name] = key_node
            segments, star = self.dotted(key_node)
            if star:
                raise self.fail(key_node, f"{name!r} cannot have a field list: '*' already passes every key")
            if self.is_null(value_node):
                raise self.fail(
                    value_node,
                    f"{name!r} has a null field list; to pass its whole value list it as an item: - {name}",
                )
            tree = self.field_list(value_node, repr(name))
            if tree.is_empty():
                raise self.fail(value_node, f"empty field list for {name!r}")
            builder.add(segments, tree=tree)
