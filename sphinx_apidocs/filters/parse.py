"""Reading one filter file (YAML or JSON) into ``FilterTree``s, with a location for every error.

PyYAML's composer gives a node graph with a mark on every node, so each problem is reported as
``file:line:col: what is wrong``. JSON files are first checked by ``json`` (exact syntax errors),
then composed by PyYAML for the marks: valid JSON is valid YAML once its tabs — which JSON only
allows between tokens — become spaces; strings with escapes are re-decoded by ``json``.

**Fast path.** Where PyYAML has libyaml, the events come from its C parser and PyYAML's own
(Python) composer and resolver build the same node graph from them (:func:`compose_text`):
the same nodes, tags, styles and marks — line, column and character index — as the pure
Python composer, about eight times faster. Only text of ordinary characters takes it (no tab,
carriage return, byte-order mark, Unicode line separator, tag, directive, explicit key, block
scalar, anchor or alias: where the two are known to part, see ``_FAST_TEXT``; and it ends in
a line break, or libyaml places an empty value at its end on a line of its own), and any error it meets — syntax, reader, too deep — sends the text through the pure
Python composer again, whose exception is the one reported: every message and location is
the one the pure parser gives. ``tests/test_build_speed_paths.py`` compares both on
generated text.
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any, NamedTuple

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from sphinx_apidocs.filters.errors import FilterError, Location, printable, quoted
from sphinx_apidocs.filters.names import split_dotted
from sphinx_apidocs.filters.tree import FilterTree, TreeBuilder

MAX_FIELDS = 100_000  # per nickname, counting shared (aliased) subtrees once per use
MAX_DEPTH = 100  # levels of objects one filter may reach (``a.b.c`` is 3)
# Lists and mappings nested in the file itself (a filter MAX_DEPTH levels deep written as
# nested mapping items needs exactly 200). Bounded so that reading a file never runs out of
# stack (the YAML composer and this parser recurse about twice per level).
MAX_NESTING = 200
MAX_FILE_BYTES = 16 * 1024 * 1024  # a filter file is text someone wrote: far below this

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


_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None) if getattr(yaml, "__with_libyaml__", False) else None
#: Text the C scanner reads as the Python one does: printable characters and ``\n`` only, and
#: none of the indicators where the two are known to part or that filter files rarely need —
#: tags (``!``), directives (``%``), explicit keys (``?``), block scalars (``|``, ``>``: libyaml
#: takes ``|#``), anchors and aliases (``&``, ``*``), reserved ``@`` and backquote. Such text
#: takes the pure Python path. (Collections' end marks may differ; nothing here reads them.)
_FAST_TEXT = re.compile("[\n\x20\x22\x23\x24\x27-\x29\x2b-\x3d\x41-\x5f\x61-\x7b\x7d\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")


if _CParser is not None:

    class _CEventComposer(Composer, _CParser, Resolver):
        """libyaml's events, composed by PyYAML's Python composer and resolver."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

        def compose_scalar_node(self, anchor: Any) -> ScalarNode:
            node = Composer.compose_scalar_node(self, anchor)
            if node.style == "":  # libyaml's plain style; the Python parser's is None
                node.style = None
            return node


def compose_text(text: str, fast: bool = True) -> Node | None:
    """``yaml.compose(text, Loader=yaml.SafeLoader)``: the same node graph, or the same
    exception; with ``fast``, from libyaml's events where that is safe (see the module)."""
    if fast and _CParser is not None and text.endswith("\n") and _FAST_TEXT.fullmatch(text):
        try:
            loader = _CEventComposer(text)
            try:
                node: Node | None = loader.get_single_node()
            finally:
                loader.dispose()
            return node
        except Exception:  # any doubt: the pure parser decides, and reports
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


class LoadedFilter(NamedTuple):
    """One operation's filter and where its nickname is defined."""

    tree: FilterTree
    location: Location


def parse_filter_file(path: str | os.PathLike[str], display: str | None = None) -> dict[str, LoadedFilter]:
    """Parse one ``.yaml``/``.yml``/``.json`` file; ``display`` is the name used in messages."""
    name = display if display is not None else os.fspath(path)
    data = read_filter_file(path, name)
    return parse_filter_bytes(data, name, json_syntax=os.fspath(path).lower().endswith(".json"))


def read_filter_file(path: str | os.PathLike[str], display: str) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES`` (a FIFO or a device named
    ``x.yaml`` would block or never end: refused, not read).
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on regular files).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FilterError("not a regular file", display)
            if info.st_size > MAX_FILE_BYTES:
                raise FilterError(
                    f"file is {info.st_size} bytes, larger than the {MAX_FILE_BYTES}-byte limit", display
                )
            # read(n) allocates n bytes first: ask for the size the file has, then for the rest
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew meanwhile
                data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        raise FilterError(f"cannot read: {getattr(exc, 'strerror', None) or exc}", display) from None
    if len(data) > MAX_FILE_BYTES:  # it grew while being read
        raise FilterError(f"file is larger than the {MAX_FILE_BYTES}-byte limit", display)
    return data


def parse_filter_bytes(data: bytes, display: str, *, json_syntax: bool = False) -> dict[str, LoadedFilter]:
    """Parse the bytes of a filter file (UTF-8, an optional BOM); ``display`` names it."""
    name = display
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start - 3 if data.startswith(b"\xef\xbb\xbf") else exc.start
        prefix = data[: max(offset, 0)].decode("utf-8", "replace")
        raise FilterError("not valid UTF-8", _position(name, prefix, len(prefix))) from None
    return parse_filter_text(text, name, json_syntax=json_syntax)


def parse_filter_text(text: str, display: str, *, json_syntax: bool = False) -> dict[str, LoadedFilter]:
    """Parse filter text; ``display`` names the file in messages. Empty text means no filters."""
    if json_syntax:
        if not text.strip():
            return {}
        try:
            # Syntax only: numbers stay text (an integer of more than 4300 digits would
            # make ``int()`` raise ValueError).
            json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
        except json.JSONDecodeError as exc:
            raise FilterError(f"invalid JSON: {exc.msg}", Location(display, exc.lineno, exc.colno)) from None
        except RecursionError:
            depth, index = json_nesting(text, MAX_NESTING)
            raise FilterError(_too_deep(depth), _position(display, text, index)) from None
        text = text.replace("\t", " ")
    try:
        return _FileParser(text, display, json_syntax).parse()
    except RecursionError:  # the YAML composer recurses per level; the event parser does not
        depth, location = _yaml_nesting(text, display, MAX_NESTING)
        raise FilterError(_too_deep(depth), location) from None


def _too_deep(depth: int) -> str:
    if depth > MAX_NESTING:
        return f"nested more than {MAX_NESTING} levels deep"
    return f"nested too deeply ({depth} levels)"  # pragma: no cover - only from a very deep caller


_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[{]|[\]}]')  # a string, or a bracket


def json_nesting(text: str, limit: int | None = None) -> tuple[int, int]:
    """``(depth, index)``: how deeply ``text`` (JSON) nests arrays and objects, and the index
    of the first bracket at that depth, so "nested too deeply" can point at a place; with
    ``limit``, the first bracket deeper than ``limit`` (and its depth). Strings are skipped;
    no recursion, linear time.
    """
    depth = deepest = 0
    where = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
                if limit is not None and depth > limit:
                    break
        elif token in "]}":
            depth -= 1
    return deepest, where


def _yaml_nesting(text: str, display: str, limit: int) -> tuple[int, Location]:
    """Like ``json_nesting`` for YAML, from PyYAML's event stream (a state machine, not
    recursive): the first collection deeper than ``limit`` (or the deepest one) and its
    location. It stops there: past it, PyYAML's scanner slows down quadratically.
    """
    depth = deepest = 0
    location = Location(display, 1, 1)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > deepest:
                    deepest, mark = depth, event.start_mark
                    if mark is not None:  # PyYAML's parser always sets it (the stubs allow None)
                        location = Location(display, mark.line + 1, mark.column + 1)
                    if depth > limit:
                        break
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # a later syntax error: the nesting seen so far is the answer
    return deepest, location


_JSON_INT = re.compile(r"-?[0-9]+")


def _excerpt(text: str) -> str:
    """A scalar's source text for a message: one line, at most 80 characters shown."""
    text = printable(text)
    return text if len(text) <= 80 else f"{text[:80]}... ({len(text)} characters)"


def _position(display: str, text: str, index: int) -> Location:
    """The 1-based line and column of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    return Location(display, line, index - (text.rfind("\n", 0, index) + 1) + 1)


def compose_checked(text: str, display: str, *, json_syntax: bool = False) -> Node | None:
    """``compose_text(text)`` with every YAML problem as a ``FilterError`` at its file, line
    and column: the one wording for filter files and the other YAML files beside them
    (``audiences.yaml``).
    """
    try:
        return compose_text(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if exc.context and problem.startswith("but "):  # "expected X" + "but found Y"
            problem = f"{exc.context}, {problem}"
        location = (
            Location(display, mark.line + 1, mark.column + 1) if mark is not None else Location(display, 1, 1)
        )
        syntax = "JSON" if json_syntax else "YAML"
        raise FilterError(f"invalid {syntax}: {problem}", location) from None
    except yaml.reader.ReaderError as exc:
        raise FilterError(
            f"invalid character {chr(exc.character)!a}" if isinstance(exc.character, int) else str(exc.reason),
            _position(display, text, exc.position),
        ) from None
    except yaml.YAMLError as exc:
        raise FilterError(f"invalid YAML: {exc}", Location(display, 1, 1)) from None


def yaml_kind(node: Node) -> str:
    """What a YAML node is, for messages: ``a list``, ``an integer (3)``, ``null``..."""
    if not isinstance(node, ScalarNode):
        return "a list" if isinstance(node, SequenceNode) else "a mapping"
    if node.tag == _TAG + "str":
        return f"a string {quoted(node.value)}"
    kind = _KINDS.get(node.tag, f"a value tagged {quoted(node.tag)}")
    return kind if node.tag == _TAG + "null" else f"{kind} ({_excerpt(node.value)})"


class _FileParser:
    """Walks the composed node graph of one file; field lists are memoized per node (aliases)."""

    def __init__(self, text: str, display: str, json_syntax: bool) -> None:
        self.text = text
        self.display = display
        self.json_syntax = json_syntax
        self.trees: dict[int, FilterTree] = {}
        self.depths: dict[int, int] = {}  # per field-list node: levels its tree reaches
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
                    key_node, f"duplicate nickname {quoted(nickname)} (first defined at line {first.line})"
                )
            if self.is_null(value_node):
                raise self.fail(
                    value_node, f"operation {quoted(nickname)} has a null field list (write [] for no fields)"
                )
            tree = self.field_list(value_node, f"operation {quoted(nickname)}", 2)
            if tree.size() > MAX_FIELDS:
                raise self.fail(
                    key_node, f"operation {quoted(nickname)} expands to more than {MAX_FIELDS} fields"
                )
            result[nickname] = LoadedFilter(tree, self.at(key_node))
        return result

    def compose(self) -> Node | None:
        return compose_checked(self.text, self.display, json_syntax=self.json_syntax)

    def kind(self, node: Node) -> str:
        """What a node is, for messages: ``a list``, ``an integer (3)``, ``null``..."""
        if not isinstance(node, ScalarNode):
            return "a list" if isinstance(node, SequenceNode) else "a mapping"
        if self.json_syntax:
            if node.style == '"':
                return f"a string {quoted(self.scalar_text(node))}"
            if node.value == "null":
                return "null"
            # Classified by its text: converting a 5000-digit integer would raise.
            kind = (
                "a boolean" if node.value in ("true", "false")
                else "an integer" if _JSON_INT.fullmatch(node.value)
                else "a number"
            )
            return f"{kind} ({_excerpt(node.value)})"
        return yaml_kind(node)

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
        if not isinstance(node, ScalarNode) or (
            node.style != '"' if self.json_syntax else node.tag != _TAG + "str"
        ):
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

    def deep(self, node: Node, depth: int) -> int:
        """``depth`` (levels an entry at ``node`` reaches), or an error past ``MAX_DEPTH``: a
        bounded depth keeps every later step (compile, selection, the docs) shallow.
        """
        if depth > MAX_DEPTH:
            raise self.fail(node, f"fields nested more than {MAX_DEPTH} levels deep")
        return depth

    def nest(self, node: Node, level: int) -> None:
        """An error for a list or mapping more than ``MAX_NESTING`` levels into the file (the
        same limit, at the same place, as when the composer itself runs out of stack).
        """
        if level > MAX_NESTING:
            raise self.fail(node, f"nested more than {MAX_NESTING} levels deep")

    def field_list(self, node: Node, owner: str, level: int) -> FilterTree:
        """The tree for a list or mapping of fields at ``level`` in the file (the top mapping
        is 1); each node is parsed once (aliases).
        """
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
        self.nest(node, level)
        self.active.add(key)
        builder = TreeBuilder()
        if isinstance(node, SequenceNode):
            depth = 0
            for item in node.value:  # a loop, not a generator: one frame less per level
                depth = max(depth, self.add_item(builder, item, owner, level + 1))
        else:
            depth = self.add_mapping(builder, node, level)
        self.active.discard(key)
        self.depths[key] = depth
        tree = self.trees[key] = builder.build()
        return tree

    def add_item(self, builder: TreeBuilder, item: Node, owner: str, level: int) -> int:
        """A list item at ``level``: a (dotted) leaf name, a mapping of containers, or a nested
        list (spliced). Returns the levels of objects it reaches.
        """
        if isinstance(item, MappingNode):
            return self.add_mapping(builder, item, level)
        if isinstance(item, SequenceNode):
            builder.add((), tree=self.field_list(item, owner, level))
            return self.depths[id(item)]
        if self.is_null(item):
            raise self.fail(item, f"null item in the field list of {owner}")
        segments, star = self.dotted(item)
        depth = self.deep(item, len(segments) + star)
        builder.add(segments, star=star)
        return depth

    def add_mapping(self, builder: TreeBuilder, node: MappingNode, level: int) -> int:
        """``name: field list`` entries of a mapping at ``level`` (a ``<<`` merge key unions
        its field list in). Returns the levels of objects they reach.
        """
        self.nest(node, level)
        seen: dict[str, Node] = {}
        deepest = 0
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == _TAG + "merge" and not self.json_syntax:
                builder.add((), tree=self.field_list(value_node, "'<<'", level + 1))
                deepest = max(deepest, self.depths[id(value_node)])
                continue
            name = self.string(key_node, "a field name")
            if name in seen:
                first = seen[name].start_mark
                raise self.fail(
                    key_node,
                    f"duplicate key {quoted(name)} (first at line {first.line + 1}, column {first.column + 1})",
                )
            seen[name] = key_node
            segments, star = self.dotted(key_node)
            if star:
                raise self.fail(key_node, f"{quoted(name)} cannot have a field list: '*' already passes every key")
            if self.is_null(value_node):
                raise self.fail(
                    value_node,
                    f"{quoted(name)} has a null field list; to pass its whole value list it as an item: "
                    f"- {_excerpt(name)}",
                )
            tree = self.field_list(value_node, quoted(name), level + 1)
            if tree.is_empty():
                raise self.fail(value_node, f"empty field list for {quoted(name)}")
            deepest = max(deepest, self.deep(key_node, len(segments) + self.depths[id(value_node)]))
            builder.add(segments, tree=tree)
        return deepest
