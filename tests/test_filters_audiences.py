"""Audiences in the runtime filters: one folder, several readerships, widest first.

* Layers: top-level files and non-audience folders are the widest audience's;
  ``<folder>/<audience>/...`` adds fields for that audience; an audience sees the union of
  its layer and every wider one. The order comes from ``audiences=`` or ``audiences.yaml``.
* Every mistake that could leak a narrower layer to a wider audience is a one-line error.
* No oracle: a path or operation only a narrower audience has fails exactly as one that
  exists nowhere (closures, ``select``, the CLI).
* Property: for random orders, layers (real files) and data, an audience's compiled filter
  (closures and the generated module) equals the filter of the union of its and the wider
  layers' paths, and never lets a path of a narrower layer through.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_apidocs.cli import build_parser, main
from sphinx_apidocs.filters import (
    FieldSelectionError,
    FilterError,
    FilterTree,
    Location,
    UnknownOperationError,
    audience_layers,
    audience_order,
    compile_filter,
    dotted_paths,
    escape_name,
    filter_files,
    load_filter_trees,
    load_filters,
    module_source,
    union_trees,
)

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "audience_fixtures" / "output_filters"  # the worked example of docs/filters.rst
RESPONSE = HERE / "audience_fixtures" / "response.json"
ORDER = ("public", "partner", "internal")


def write(root: Path, files: dict[str, str]) -> Path:
    """``files`` (relative name -> text) below ``root``; returns ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def names(layers: list[tuple[str, list[tuple[Path, str]]]], root: Path) -> list[tuple[str, list[str]]]:
    """``audience_layers`` output with the files relative to ``root`` (posix)."""
    return [(layer, [Path(display).relative_to(root).as_posix() for _, display in files]) for layer, files in layers]


def paths_of(folder: Path | str, **kwargs: Any) -> dict[str, list[str]]:
    return {nick: dotted_paths(loaded.tree) for nick, loaded in load_filter_trees(folder, **kwargs).items()}


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and "\r" not in text, text
    return text


# --- layers and order ----------------------------------------------------------------------------


def layered(tmp_path: Path) -> Path:
    return write(tmp_path / "f", {
        "audiences.yaml": "- public\n- partner\n- internal\n",
        "a.yaml": "op: [a]\n",
        "misc/b.yml": "op2: [b]\n",
        "public/c.json": '{"op3": ["c"]}',
        "partner/d.yaml": "op: [d]\n",
        "partner/deep/e.yaml": "op4: [e]\n",
        "internal/f.yaml": "op: [f]\n",
        ".hidden/g.yaml": "op: [hidden]\n",
        "partner/.h.yaml": "op: [hidden]\n",
    })


def test_layers_of_each_audience(tmp_path):
    root = layered(tmp_path)
    widest = ("public", ["a.yaml", "misc/b.yml", "public/c.json"])
    partner = ("partner", ["partner/d.yaml", "partner/deep/e.yaml"])
    internal = ("internal", ["internal/f.yaml"])
    assert names(audience_layers(root), root) == [widest]  # the widest by default
    assert names(audience_layers(root, "public"), root) == [widest]
    assert names(audience_layers(root, "partner"), root) == [widest, partner]
    assert names(audience_layers(root, audience="internal"), root) == [widest, partner, internal]
    assert audience_order(root) == ORDER
    # every file, for tools that watch them all; the order file is not a filter file
    assert len(filter_files(root)) == 6 and not any(d.endswith("audiences.yaml") for _, d in filter_files(root))


def test_layers_are_widest_first_and_include_empty_ones(tmp_path):
    root = write(tmp_path / "f", {"audiences.yaml": "[a, b, c]\n", "c/x.yaml": "op: [x]\n"})
    assert names(audience_layers(root, "c"), root) == [("a", []), ("b", []), ("c", ["c/x.yaml"])]


def test_union_across_layers(tmp_path):
    root = layered(tmp_path)
    assert paths_of(root) == {"op": ["a"], "op2": ["b"], "op3": ["c"]}
    assert paths_of(root, audience="partner") == {"op": ["a", "d"], "op2": ["b"], "op3": ["c"], "op4": ["e"]}
    assert paths_of(root, audience="internal") == {
        "op": ["a", "d", "f"], "op2": ["b"], "op3": ["c"], "op4": ["e"]
    }
    # the merged location is the widest layer's definition
    loaded = load_filter_trees(root, audience="internal")["op"]
    assert loaded.location == Location(os.path.join(str(root), "a.yaml"), 1, 1)
    assert load_filter_trees(root, audience="internal")["op4"].location.file.endswith(os.path.join("partner", "deep", "e.yaml"))


def test_the_worked_example_of_the_docs():
    """docs/filters.rst, "Audiences": the table of what each audience gets."""
    assert paths_of(EXAMPLE) == paths_of(EXAMPLE, audience="public") == {
        "list-invoices": ["invoices.id", "invoices.total"],
        "get-user": ["id", "profile.name"],
    }
    partner = paths_of(EXAMPLE, audience="partner")
    assert partner["get-user"] == ["id", "profile.name", "profile.email", "partner_since"]
    assert partner["list-partner-users"] == ["users.id"]
    internal = paths_of(EXAMPLE, audience="internal")
    assert internal["get-user"] == ["id", "profile", "partner_since", "risk_score"]
    assert internal["list-partner-users"] == ["users.id"]
    text = (HERE.parent / "docs" / "filters.rst").read_text()
    section = text[text.index("\nAudiences\n---------"):]
    for name in ("partner/users.yaml", "internal/users.yaml", "billing/invoices.yaml", "risk_score"):
        assert name in section
    for file in ("users.yaml", "partner/users.yaml", "internal/users.yaml"):  # the docs show the files
        body = (EXAMPLE / file).read_text()
        assert all(line.strip() in section for line in body.splitlines())


@pytest.mark.parametrize(
    "first, second",
    [
        (["widest"], []),  # the union with an empty list is the widest list
        (["profile"], ["profile.city", "profile.zip"]),  # a leaf subsumes what is below it
        (["profile.city"], ["profile"]),  # either way round
        (["tags: ['*']"], ["tags.a"]),  # '*' subsumes its siblings
        (["tags.a", "x"], ["tags.*", "y"]),
        (["a.b.c"], ["a.b.d", "a.e"]),
    ],
)
def test_union_semantics_across_layers_are_those_within_a_file(tmp_path, first, second):
    split = write(tmp_path / "f", {"audiences.yaml": "[one, two]\n", "x.yaml": field_list(first), "two/y.yaml": field_list(second)})
    within = write(tmp_path / "g", {"x.yaml": field_list(first + second)})
    assert paths_of(split, audience="two") == paths_of(within)
    assert load_filter_trees(split, audience="two")["op"].tree == load_filter_trees(within)["op"].tree


def field_list(items: list[str]) -> str:
    """A filter file giving ``op`` the YAML list ``items``."""
    return "op:\n" + "".join(f"  - {item}\n" for item in items) if items else "op: []\n"


def test_duplicate_within_one_layer_names_both_places(tmp_path):
    root = write(tmp_path / "f", {
        "audiences.yaml": "[public, partner]\n", "a.yaml": "op: [a]\n",
        "partner/x.yaml": "op: [b]\nop2: [c]\n", "partner/sub/y.yaml": "op2: [d]\n",
    })
    assert paths_of(root) == {"op": ["a"]}  # the partner layer is not read for the public
    with pytest.raises(FilterError) as err:
        load_filter_trees(root, audience="partner")
    assert one_line(err.value) == (
        f"{root}/partner/x.yaml:2:1: duplicate nickname 'op2' (also defined at {root}/partner/sub/y.yaml:1:1)"
    )
    # top-level files, non-audience folders and the widest audience's folder are one layer
    widest = write(tmp_path / "g", {"audiences.yaml": "[public, partner]\n", "a.yaml": "op: [a]\n", "public/b.yaml": "op: [b]\n"})
    with pytest.raises(FilterError, match=r"duplicate nickname 'op' \(also defined at .*a\.yaml:1:1\)"):
        load_filters(widest)


def test_order_argument_wins_over_the_file(tmp_path):
    root = write(tmp_path / "f", {
        "audiences.yaml": "[public, partner, internal]\n", "a.yaml": "op: [a]\n",
        "partner/b.yaml": "op: [b]\n", "internal/c.yaml": "op: [c]\n",
    })
    swapped = ["public", "internal", "partner"]
    assert audience_order(root, swapped) == tuple(swapped)
    assert audience_order(root, audiences=("public", "internal", "partner")) == tuple(swapped)
    assert paths_of(root, audience="internal") == {"op": ["a", "b", "c"]}
    assert paths_of(root, audience="internal", audiences=swapped) == {"op": ["a", "c"]}
    assert paths_of(root, audience="partner", audiences=swapped) == {"op": ["a", "c", "b"]}
    # an order without a file
    os.remove(root / "audiences.yaml")
    assert audience_order(root) == ()
    assert paths_of(root, audience="partner", audiences=list(ORDER)) == {"op": ["a", "b"]}


def test_no_order_behaves_as_before(tmp_path):
    root = write(tmp_path / "f", {"a.yaml": "op: [a]\n", "partner/b.yaml": "op2: [b]\n", "x/internal/c.yaml": "op3: [c]\n"})
    assert audience_order(root) == ()
    assert audience_layers(root) == [("", filter_files(root))]
    assert paths_of(root) == {"op": ["a"], "op2": ["b"], "op3": ["c"]}  # every file, recursively
    assert set(load_filters(root)) == {"op", "op2", "op3"}
    write(root, {"partner/d.yaml": "op: [d]\n"})  # no layers: a duplicate as always
    with pytest.raises(FilterError, match="duplicate nickname 'op'"):
        load_filter_trees(root)
    single = write(tmp_path / "s", {"one.yaml": "op: [a]\n"}) / "one.yaml"
    assert audience_layers(single) == [("", [(single, str(single))])]


def test_files_given_directly_are_the_widest(tmp_path):
    root = layered(tmp_path)
    given = [root, tmp_path / "extra.yaml"]
    (tmp_path / "extra.yaml").write_text("op9: [z]\n")
    assert names(audience_layers(given, "partner"), tmp_path)[0][1][-1] == "extra.yaml"
    assert paths_of(given)["op9"] == ["z"]


def test_widest_is_the_default_everywhere(tmp_path):
    root = layered(tmp_path)
    assert load_filters(root) is load_filters(root, audience="public")  # one cache entry
    assert set(load_filters(root)) == {"op", "op2", "op3"}
    assert load_filters(root)["op"]({"a": 1, "d": 2, "f": 3}) == {"a": 1}
    assert load_filters(root, audience="partner")["op"]({"a": 1, "d": 2, "f": 3}) == {"a": 1, "d": 2}


def test_the_cache_keys_on_audience_and_order(tmp_path):
    root = layered(tmp_path)
    public, partner = load_filters(root), load_filters(root, audience="partner")
    assert public is not partner and load_filters(root, audience="partner") is partner
    assert set(partner) - set(public) == {"op4"}
    swapped = load_filters(root, audience="partner", audiences=["public", "internal", "partner"])
    assert swapped is not partner and swapped["op"]({"a": 1, "d": 2, "f": 3}) == {"a": 1, "d": 2, "f": 3}
    # a new order file is read on the next call
    (root / "audiences.yaml").write_text("[public, internal, partner]\n")
    assert load_filters(root, audience="partner")["op"]({"a": 1, "d": 2, "f": 3}) == {"a": 1, "d": 2, "f": 3}
    (root / "audiences.yaml").write_text("[public, partner, internal]\n")
    assert load_filters(root, audience="partner")["op"]({"a": 1, "d": 2, "f": 3}) == {"a": 1, "d": 2}
    # content-keyed as before: an edit of a layer's file is seen
    (root / "partner" / "d.yaml").write_text("op: [dd]\n")
    assert load_filters(root, audience="partner")["op"]({"a": 1, "d": 2, "dd": 3}) == {"a": 1, "dd": 3}
    assert load_filters(root) is public  # a narrower layer's edit does not touch the widest


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "{f}:1:1: empty: expected a list of audience names, widest first"),
        ("public: 1\n", "{f}:1:1: expected a list of audience names, widest first; found a mapping"),
        ("public\n", "{f}:1:1: expected a list of audience names, widest first; found a string 'public'"),
        ("[]\n", "{f}:1:1: no audience listed"),
        ("- public\n- 3\n", "{f}:2:3: an audience name must be a string, found an integer (3); quote it to use it as a name"),
        ("- public\n- [a]\n", "{f}:2:3: an audience name must be a string, found a list"),
        ("- public\n-\n", "{f}:2:2: an audience name must be a string, found null; quote it to use it as a name"),
        ("- public\n- partner\n- public\n", "{f}:3:3: duplicate audience 'public' (first as line 1)"),
        ("- public\n- Public\n", "{f}:2:3: audience 'Public' differs only in case from 'public' (line 1): their folders are one folder on some systems"),
        ("- ''\n", "{f}:1:3: empty audience name"),
        ("- a/b\n", "{f}:1:3: audience name 'a/b' has '/' (not allowed in a folder name)"),
        ("- 'a\\b'\n", "{f}:1:3: audience name 'a\\\\b' has '\\\\' (not allowed in a folder name)"),
        ("- .hidden\n", "{f}:1:3: audience name '.hidden' starts with '.' (hidden folders are not read)"),
        ("- '..'\n", "{f}:1:3: audience name '..' starts with '.' (hidden folders are not read)"),
        ("- ' x'\n", "{f}:1:3: audience name ' x' starts or ends with white space"),
        ("- \"a\\tb\"\n", "{f}:1:3: audience name 'a\\tb' has a control or invisible character"),
        ("- 'a:b'\n", "{f}:1:3: audience name 'a:b' has ':' (not allowed in a folder name)"),
        ("- [\n", "{f}:2:1: invalid YAML: expected the node content, but found '<stream end>'"),
    ],
)
def test_a_malformed_order_file(tmp_path, text, message):
    root = write(tmp_path / "f", {"audiences.yaml": text, "a.yaml": "op: [a]\n"})
    expected = message.format(f=root / "audiences.yaml")
    for call in (
        lambda: audience_order(root),
        lambda: audience_layers(root),
        lambda: load_filter_trees(root),
        lambda: load_filters(root),
        lambda: load_filters(root, audiences=["public"]),  # read even when an order is given
    ):
        with pytest.raises(FilterError) as err:
            call()
        assert one_line(err.value) == expected


@pytest.mark.parametrize(
    "audiences, message",
    [
        ("public,partner", "audiences: expected a list of audience names, widest first; not str"),
        ([], "audiences: no audience listed"),
        (["public", 3], "audiences: audience 2 must be a string, not int"),
        (["public", "partner", "public"], "audiences: duplicate audience 'public' (first as audience 1)"),
        (["public", "PUBLIC"], "audiences: audience 'PUBLIC' differs only in case from 'public' (audience 1): their folders are one folder on some systems"),
        (["public", ""], "audiences: empty audience name"),
        (["a/b"], "audiences: audience name 'a/b' has '/' (not allowed in a folder name)"),
    ],
)
def test_a_bad_order_argument(tmp_path, audiences, message):
    root = write(tmp_path / "f", {"a.yaml": "op: [a]\n"})
    for call in (audience_order, audience_layers, load_filter_trees, load_filters):
        with pytest.raises(FilterError) as err:
            call(root, audiences=audiences)
        assert one_line(err.value) == message


def test_an_unknown_audience_or_none_known(tmp_path):
    root = layered(tmp_path)
    for call in (audience_layers, load_filter_trees, load_filters):
        with pytest.raises(FilterError) as err:
            call(root, audience="staff")
        assert one_line(err.value) == f"{root}/audiences.yaml: unknown audience 'staff' (the audiences: public, partner, internal)"
        with pytest.raises(FilterError) as err:
            call(root, audience="staff", audiences=["public", "partner", "internal"])
        assert one_line(err.value) == "audiences: unknown audience 'staff' (the audiences: public, partner, internal)"
        with pytest.raises(FilterError) as err:
            call(root, audience="Partner")  # names are exact
        assert "unknown audience 'Partner'" in one_line(err.value)
    plain = write(tmp_path / "g", {"a.yaml": "op: [a]\n"})
    for call in (audience_layers, load_filter_trees, load_filters):
        with pytest.raises(FilterError) as err:
            call(plain, audience="partner")
        assert one_line(err.value) == (
            f"{plain}: audience 'partner' asked for, but no audience order is known: give the order "
            "(audiences, --audiences) or list it in audiences.yaml at the top of the filter folder"
        )
    with pytest.raises(FilterError, match="an audience must be a string, not list"):
        load_filters(root, audience=["public"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "files, audience, folder, message",
    [
        ({"billing/partner/x.yaml": "op: [x]\n"}, "public", "billing/partner",
         "an audience folder must be at the top of the filter folder: write {f}/partner/... for the audience 'partner'"),
        ({"partner/internal/x.yaml": "op: [x]\n"}, "partner", "partner/internal",
         "an audience folder must be at the top of the filter folder: write {f}/internal/... for the audience 'internal'"),
        ({"Partner/x.yaml": "op: [x]\n"}, "public", "Partner",
         "folder 'Partner' is not the audience 'partner': name it exactly as the audience"),
        ({"INTERNAL/sub/x.yaml": "op: [x]\n"}, "internal", "INTERNAL",
         "folder 'INTERNAL' is not the audience 'internal': name it exactly as the audience"),
    ],
)
def test_misplaced_audience_folders_are_errors(tmp_path, files, audience, folder, message):
    """Each would put a narrower layer's files in a wider audience's whitelist."""
    root = write(tmp_path / "f", {"audiences.yaml": "[public, partner, internal]\n", **files})
    with pytest.raises(FilterError) as err:
        load_filters(root, audience=audience)
    assert one_line(err.value) == f"{root}/{folder}: " + message.format(f=root)


def test_an_order_that_leaves_out_an_audience_of_the_file_with_a_folder(tmp_path):
    root = layered(tmp_path)
    with pytest.raises(FilterError) as err:
        load_filters(root, audiences=["public", "partner"])
    assert one_line(err.value) == (
        f"{root}/internal: 'internal' is an audience in audiences.yaml but not in the audience order given: "
        "its files would reach every audience"
    )
    shutil.rmtree(root / "internal")  # no folder of it: nothing can leak
    assert set(load_filters(root, audience="partner", audiences=["public", "partner"])) == {"op", "op2", "op3", "op4"}


def test_several_folders_share_one_order(tmp_path):
    first = write(tmp_path / "a", {"x.yaml": "op: [a]\n", "partner/y.yaml": "op: [b]\n"})
    second = write(tmp_path / "b", {"audiences.yaml": "[public, partner]\n", "z.yaml": "op2: [c]\n", "partner/w.yaml": "op2: [d]\n"})
    # the first folder with an order file gives it: the first folder's partner/ is a layer too
    assert audience_order([first, second]) == ("public", "partner")
    assert paths_of([first, second]) == {"op": ["a"], "op2": ["c"]}
    assert paths_of([first, second], audience="partner") == {"op": ["a", "b"], "op2": ["c", "d"]}
    write(first, {"audiences.yaml": "[public, partner, internal]\n"})
    with pytest.raises(FilterError) as err:
        load_filters([first, second])
    assert one_line(err.value) == f"{second}/audiences.yaml: lists another audience order than {first}/audiences.yaml"
    assert paths_of([first, second], audiences=["public", "partner", "internal"])  # an order given wins


# --- union_trees ---------------------------------------------------------------------------------


def tree(*paths: str) -> FilterTree:
    return FilterTree.from_paths(paths)


def test_union_trees():
    a = tree("a.b", "c")
    assert union_trees(a, tree()) is a and union_trees(tree(), a) is a and union_trees(a, a) is a
    assert dotted_paths(union_trees(a, tree("a.x", "d"))) == ["a.b", "a.x", "c", "d"]
    assert dotted_paths(union_trees(a, tree("a"))) == ["a", "c"]  # a leaf subsumes
    assert dotted_paths(union_trees(tree("a"), tree("a.b.c"))) == ["a"]
    assert dotted_paths(union_trees(a, tree("*"))) == ["*"]  # '*' subsumes its siblings
    assert dotted_paths(union_trees(tree("a.*"), a)) == ["a.*", "c"]
    assert union_trees(tree("x", "y"), tree("y", "x")) == tree("x", "y")  # the first order stays


NAMES = ["a", "b", "c", "d.e"]  # "d.e" is one key (escaped as d\.e in the files)
PATH = st.tuples(st.lists(st.sampled_from(NAMES), max_size=3), st.integers(0, 6).map(lambda n: n == 0)).filter(
    lambda p: p[0] or p[1]
)
JSON = st.recursive(
    st.none() | st.integers(0, 9),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(NAMES + ["z"]), inner, max_size=5),
    max_leaves=16,
)


def text_of(path: tuple[list[str], bool]) -> str:
    """A path as written in a filter file (``d\\.e``, ``a.*``)."""
    segments, star = path
    return ".".join([escape_name(s) for s in segments] + (["*"] if star else []))


@given(st.lists(PATH, max_size=5), st.lists(PATH, max_size=5), JSON)
def test_union_trees_is_the_union_of_the_paths(first, second, data):
    a, b = tree(*map(text_of, first)), tree(*map(text_of, second))
    both = tree(*map(text_of, first + second))
    union = union_trees(a, b)
    assert union == both  # the same tree, key order included
    assert compile_filter(union)(data) == compile_filter(both)(data)


# --- no oracle -----------------------------------------------------------------------------------


def substituted(exc: BaseException, asked: str) -> str:
    return str(exc).replace(asked, "<ASKED>")


def failure(call: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as err:
        call()
    return err.value


@pytest.mark.parametrize(
    "hidden, nowhere, others",
    [
        ("partner_since", "no_such_field", []),  # a partner field
        ("risk_score", "no_such_field", []),  # an internal field
        ("profile.email", "profile.nosuch", []),  # below a container the public sees in part
        ("profile.email", "profile.nosuch", ["id"]),  # with a path that is fine
        ("partner_since.x", "no_such_field.x", ["profile.name"]),
        ("risk_score.*", "zz.*", []),
    ],
)
def test_a_narrower_field_fails_as_a_field_that_exists_nowhere(hidden, nowhere, others):
    for audience in (None, "public"):
        filters = load_filters(EXAMPLE, audience=audience)
        for request in (lambda path: ", ".join([path, *others]), lambda path: [path, *others]):
            for _ in range(2):  # the second time from the selector's caches
                a = failure(lambda: filters.select("get-user", request(hidden)))
                b = failure(lambda: filters.select("get-user", request(nowhere)))
                assert type(a) is type(b) is FieldSelectionError
                assert isinstance(a, FieldSelectionError) and isinstance(b, FieldSelectionError)
                assert substituted(a, hidden) == substituted(b, nowhere)
                assert json.dumps(a.as_dict()).replace(hidden, "<ASKED>") == json.dumps(b.as_dict()).replace(nowhere, "<ASKED>")
                assert a.allowed == ["id", "profile.name"]
    # the partner sees it: the request is fine there
    partner = load_filters(EXAMPLE, audience="partner")
    assert partner.select("get-user", "partner_since")({"partner_since": 1, "id": 2}) == {"partner_since": 1}


def test_a_narrower_operation_fails_as_an_operation_that_exists_nowhere():
    public = load_filters(EXAMPLE)
    for call in (lambda nick: public.select(nick), lambda nick: public.select(nick, "users.id"), lambda nick: public[nick]):
        a, b = failure(lambda: call("list-partner-users")), failure(lambda: call("no-such-operation"))
        assert type(a) is type(b)
        assert isinstance(a, (UnknownOperationError, KeyError))
        assert substituted(a, "list-partner-users") == substituted(b, "no-such-operation")
    assert "list-partner-users" not in public and "list-partner-users" in load_filters(EXAMPLE, audience="partner")


# --- the CLI -------------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def test_cli_apply_fields_has_no_oracle(capsys):
    for option in ([], ["--audience", "public"], ["--audiences", ",".join(ORDER)], ["--audiences", "public,partner,internal", "--audience", "public"]):
        for hidden, nowhere in [("partner_since", "no_such_field"), ("profile.email", "profile.nosuch"), ("risk_score", "zz")]:
            a = run(capsys, "apply", str(EXAMPLE), "--operation", "get-user", str(RESPONSE), "--fields", hidden, *option)
            b = run(capsys, "apply", str(EXAMPLE), "--operation", "get-user", str(RESPONSE), "--fields", nowhere, *option)
            assert a[0] == b[0] == 1 and a[1] == b[1] == ""
            assert a[2].replace(hidden, "<ASKED>") == b[2].replace(nowhere, "<ASKED>")
            assert a[2].count("\n") == 1 and a[2].startswith("error: fields: not allowed: ")
        a = run(capsys, "apply", str(EXAMPLE), "--operation", "list-partner-users", str(RESPONSE), *option)
        b = run(capsys, "apply", str(EXAMPLE), "--operation", "no-such-op", str(RESPONSE), *option)
        assert a[0] == b[0] == 1
        assert a[2].replace("list-partner-users", "<ASKED>") == b[2].replace("no-such-op", "<ASKED>")


def test_cli_apply_and_fields_per_audience(capsys):
    response = json.loads(RESPONSE.read_text())
    expected = {
        "public": {"id": 7, "profile": {"name": "Ada"}},
        "partner": {"id": 7, "profile": {"name": "Ada", "email": "ada@example.com"}, "partner_since": 2019},
        "internal": response,
    }
    for audience, body in expected.items():
        status, out, err = run(capsys, "apply", str(EXAMPLE), "--operation", "get-user", str(RESPONSE), "--audience", audience)
        assert (status, err, json.loads(out)) == (0, "", body)
        status, out, _ = run(capsys, "fields", str(EXAMPLE), "--json", "--audience", audience)
        assert json.loads(out) == paths_of(EXAMPLE, audience=audience)
    assert run(capsys, "apply", str(EXAMPLE), "--operation", "get-user", str(RESPONSE))[1] == run(
        capsys, "apply", str(EXAMPLE), "--operation", "get-user", str(RESPONSE), "--audience", "public"
    )[1]
    status, out, _ = run(capsys, "fields", str(EXAMPLE), "--operation", "get-user", "--audience", "internal")
    assert (status, out) == (0, "id\nprofile\npartner_since\nrisk_score\n")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--audience", "staff"], "error: --audience: unknown audience 'staff' (the audiences: public, partner, internal)\n"),
        (["--audiences", "public,,partner"], "error: --audiences: empty audience name\n"),
        (["--audiences", "public,Public"], "error: --audiences: audience 'Public' differs only in case from 'public' (audience 1): their folders are one folder on some systems\n"),
        (["--audiences", "public,partner", "--audience", "internal"], "error: --audience: unknown audience 'internal' (the audiences: public, partner)\n"),
        (["--audiences", "public,partner"], "error: {f}/internal: 'internal' is an audience in audiences.yaml but not in the audience order given: its files would reach every audience\n"),
    ],
)
@pytest.mark.parametrize("command", ["fields", "apply", "compile"])
def test_cli_errors_are_one_line(capsys, tmp_path, argv, message, command):
    extra = {"fields": [], "apply": ["--operation", "get-user", str(RESPONSE)], "compile": ["-o", str(tmp_path / "m.py")]}[command]
    status, out, err = run(capsys, command, str(EXAMPLE), *extra, *argv)
    assert (status, out, err) == (1, "", message.format(f=EXAMPLE))
    assert not (tmp_path / "m.py").exists()


def test_cli_audience_without_an_order(capsys, tmp_path):
    root = write(tmp_path / "f", {"a.yaml": "op: [a]\n"})
    for command, extra in [("fields", []), ("apply", ["--operation", "op", str(RESPONSE)]), ("compile", ["-o", str(tmp_path / "m.py")])]:
        status, out, err = run(capsys, command, str(root), "--audience", "public", *extra)
        assert (status, out) == (1, "")
        assert err == (
            f"error: --audience 'public': no audience order is known for {root}; give --audiences A,B,C "
            "or list them in audiences.yaml at the top of the folder\n"
        )
    # with an order given, the same folder has one layer per audience (here: only the widest)
    status, out, _ = run(capsys, "fields", str(root), "--audience", "partner", "--audiences", "public,partner", "--json")
    assert (status, json.loads(out)) == (0, {"op": ["a"]})


def load_module(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"gen_{abs(hash(str(path)))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NARROWER_ONLY = ["partner_since", "email", "risk_score", "list-partner-users", "partner/users.yaml", "internal/users.yaml"]


def test_compiled_module_of_the_public_holds_nothing_narrower(capsys, tmp_path):
    out = tmp_path / "public_filters.py"
    assert run(capsys, "compile", str(EXAMPLE), "-o", str(out), "--audience", "public") == (0, "", "")
    source = out.read_text()
    for name in NARROWER_ONLY:
        assert name not in source, name
    assert "'name'" in source and "'get-user'" in source and "# Audience: public" in source
    module = load_module(out)
    assert module.AUDIENCE == "public"
    assert set(module.FILTERS) == {"get-user", "list-invoices"}
    response = json.loads(RESPONSE.read_text())
    assert module.FILTERS["get-user"](response) == {"id": 7, "profile": {"name": "Ada"}}
    # the default is the widest: the same module, apart from the command it names
    default = tmp_path / "default.py"
    assert run(capsys, "compile", str(EXAMPLE), "-o", str(default))[0] == 0
    assert default.read_text().replace(str(default), "X") == source.replace(str(out), "X")
    # --check: up to date; the narrower layers do not make it stale; the widest does
    assert run(capsys, "compile", str(EXAMPLE), "-o", str(out), "--audience", "public", "--check") == (0, "", "")
    copy = tmp_path / "copy"
    shutil.copytree(EXAMPLE, copy)
    argv = ["compile", str(copy), "-o", str(out), "--audience", "public"]
    assert run(capsys, *argv)[0] == 0
    (copy / "partner" / "users.yaml").write_text("get-user: [more]\n")
    assert run(capsys, *argv, "--check") == (0, "", "")
    (copy / "users.yaml").write_text("get-user: [more]\n")
    status, _, err = run(capsys, *argv, "--check")
    assert status == 1 and "is stale; run: sphinx-apidocs compile" in err and "--audience public" in err


def test_compiled_module_per_audience(capsys, tmp_path):
    response = json.loads(RESPONSE.read_text())
    for audience in ORDER:
        out = tmp_path / f"{audience}_filters.py"
        argv = ["compile", str(EXAMPLE), "-o", str(out), "--audience", audience, "--audiences", ",".join(ORDER)]
        assert run(capsys, *argv) == (0, "", "")
        assert run(capsys, *argv, "--check") == (0, "", "")
        module = load_module(out)
        trees = load_filter_trees(EXAMPLE, audience=audience)
        assert module.AUDIENCE == audience and set(module.FILTERS) == set(trees)
        for nick, loaded in trees.items():
            assert module.FILTERS[nick](response) == compile_filter(loaded.tree)(response)
        header = out.read_text().splitlines()[:12]
        sources = [line.strip("# ").strip() for line in header[header.index("# Sources:") + 1:header.index(f"# Audience: {audience}")]]
        expected = [display for _, files in audience_layers(EXAMPLE, audience) for _, display in files]
        assert sources == expected
        assert f"--audience {audience} --audiences public,partner,internal" in header[header.index("# Regenerate with:") + 1]


def orders(groups: list[list[str]], operands: int) -> list[list[str]]:
    """Every order of ``groups`` in which the first ``operands`` groups keep their order."""
    result = []
    for order in itertools.permutations(groups):
        positions = [order.index(group) for group in groups[:operands]]
        if positions == sorted(positions):
            result.append([arg for group in order for arg in group])
    return result


@pytest.mark.parametrize(
    "command, groups, operands",
    [
        ("fields", [["FILTERS"], ["--operation", "a"], ["--json"], ["--audience", "p"], ["--audiences", "p,q"]], 1),
        ("apply", [["FILTERS"], ["INPUT"], ["--operation", "a"], ["--audience", "p"], ["--audiences=p,q"]], 2),
        ("compile", [["FILTERS"], ["-o", "out.py"], ["--check"], ["--audience=p"], ["--audiences", "p,q"]], 1),
    ],
)
def test_audience_options_parse_in_any_order(command, groups, operands):
    parser = build_parser()
    parsed = set()
    for argv in orders(groups, operands):
        values = vars(parser.parse_args([command, *argv]))
        values.pop("handler")
        parsed.add(json.dumps(values, sort_keys=True))
    assert len(parsed) == 1, parsed
    values = json.loads(parsed.pop())
    assert (values["audience"], values["audiences"]) == ("p", "p,q")


def test_audience_given_twice_differently_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as usage:
        main(["fields", str(EXAMPLE), "--audience", "public", "--audience", "partner"])
    assert usage.value.code == 2
    assert "argument --audience: given twice with different values" in capsys.readouterr().err


def test_every_order_of_apply_with_an_audience_gives_the_same_output(capsys):
    groups = [[str(EXAMPLE)], [str(RESPONSE)], ["--operation", "get-user"], ["--audience", "partner"], ["--fields", "profile.email"]]
    outputs = set()
    for argv in orders(groups, 2):
        status, out, err = run(capsys, "apply", *argv)
        assert (status, err) == (0, ""), argv
        outputs.add(out)
    assert [json.loads(out) for out in outputs] == [{"profile": {"email": "ada@example.com"}}]


# --- property: an audience's filter is the union of its layers, and nothing narrower ------------

AUDIENCE_NAMES = ["public", "partner", "internal", "staff", "beta"]
NICKS = ["op", "op2"]
LAYER = st.dictionaries(st.sampled_from(NICKS), st.lists(PATH, max_size=4), max_size=2)


@st.composite
def setups(draw: st.DrawFn) -> dict[str, Any]:
    order = draw(st.lists(st.sampled_from(AUDIENCE_NAMES), min_size=2, max_size=4, unique=True))
    layers = [draw(LAYER) for _ in order]
    # where each layer's nicknames go: a file each, in one of the places its layer may be
    places = []
    for index, layer in enumerate(layers):
        for nick in layer:
            folders = ["", "misc/", f"{order[0]}/"] if index == 0 else [f"{order[index]}/", f"{order[index]}/sub/"]
            places.append((index, nick, draw(st.sampled_from(folders)), draw(st.sampled_from([".yaml", ".json"]))))
    return {
        "order": order,
        "layers": layers,
        "places": places,
        "audience": draw(st.integers(0, len(order) - 1)),
        "from_file": draw(st.booleans()),
        "data": draw(st.dictionaries(st.sampled_from(NICKS), JSON, min_size=2, max_size=2)),
    }


def allows(whitelist: FilterTree, keys: tuple[str, ...]) -> bool:
    """Whether a key path (a key and its parents) may appear in output filtered by ``whitelist``."""
    node: FilterTree | None = whitelist
    for key in keys:
        if node is None or node.star:
            return True
        child = dict(node.fields)
        if key not in child:
            return False
        node = child[key]
    return True


def key_paths(value: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every key path of ``value`` (through dicts and lists)."""
    found: set[tuple[str, ...]] = set()
    if isinstance(value, list):
        for item in value:
            found |= key_paths(item, prefix)
    elif isinstance(value, dict):
        for key, item in value.items():
            found.add(prefix + (key,))
            found |= key_paths(item, prefix + (key,))
    return found


_examples = itertools.count()


# Each example writes a folder of real files, loads, compiles and generates a module: about
# 12 ms. At most 1000 examples (CI) keep the file well under a minute; the cheap properties
# above run the profile's full count.
@settings(
    max_examples=min(settings().max_examples, 1000),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(setups())
def test_an_audience_sees_the_union_of_its_layers_and_nothing_narrower(tmp_path, setup):
    order, layers, index = setup["order"], setup["layers"], setup["audience"]
    audience = order[index]
    root = tmp_path / f"example{next(_examples)}"
    files = {"audiences.yaml": yaml.safe_dump(order)} if setup["from_file"] else {}
    for layer, nick, folder, suffix in setup["places"]:
        content = {nick: [text_of(path) for path in layers[layer][nick]]}
        text = json.dumps(content) if suffix == ".json" else yaml.safe_dump(content)
        files[f"{folder}{nick}_{layer}{suffix}"] = text
    root.mkdir(parents=True)
    write(root, files)
    try:
        audiences = None if setup["from_file"] else order
        filters = load_filters(root, audience=audience, audiences=audiences)
        trees = {nick: loaded.tree for nick, loaded in load_filter_trees(root, audience=audience, audiences=audiences).items()}
        namespace: dict[str, Any] = {}
        exec(compile(module_source(trees, sources=[], command="c", audience=audience), "<gen>", "exec"), namespace)
        generated = namespace["FILTERS"]
        seen = [layer for layer in layers[: index + 1]]
        assert set(filters) == set(generated) == {nick for layer in seen for nick in layer}
        for nick in NICKS:
            if nick not in filters:
                continue
            # the reference: one field list holding every path of the layers the audience sees
            union = tree(*[text_of(path) for layer in seen for path in layer.get(nick, [])])
            assert trees[nick] == union
            data = setup["data"][nick]
            expected = compile_filter(union)(data)
            output = filters[nick](data)
            assert output == expected and generated[nick](data) == expected
            # nothing that only a narrower layer whitelists gets through (a narrower ``x.*``:
            # every key path of the output is one the audience's union allows)
            narrower = [path for layer in layers[index + 1:] for path in layer.get(nick, [])]
            hidden = [tuple(segs) for segs, star in narrower if not star and not allows(union, tuple(segs))]
            present = key_paths(output)
            for path in hidden:
                assert not any(keys[: len(path)] == path for keys in present), (path, output)
            assert all(allows(union, keys) for keys in present)
    finally:
        shutil.rmtree(root)


def test_a_hostile_audience_name_stays_data_in_the_generated_module(capsys, tmp_path):
    """A name may hold quotes, parentheses and ``#`` (each is a valid folder name): the module
    carries it as a literal and a comment, never as code."""
    hostile = "x'); PWNED = 1; ('é"
    root = write(tmp_path / "f", {"a.yaml": "op: [a]\n", f"{hostile}/b.yaml": "op: [b]\n"})
    out = tmp_path / "m.py"
    argv = ["compile", str(root), "-o", str(out), "--audiences", f"public,{hostile}", "--audience", hostile]
    assert run(capsys, *argv) == (0, "", "")
    source = out.read_text()
    assert source.isascii() and "\nPWNED" not in source
    module = load_module(out)
    assert module.AUDIENCE == hostile and module.FILTERS["op"]({"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}
    assert not hasattr(module, "PWNED")
    assert run(capsys, *argv, "--check") == (0, "", "")


def test_an_order_file_nested_too_deeply_or_not_a_file(tmp_path):
    root = write(tmp_path / "f", {"audiences.yaml": "[" * 100_000 + "\n", "a.yaml": "op: [a]\n"})
    with pytest.raises(FilterError) as err:
        load_filters(root)
    assert one_line(err.value).startswith(f"{root}/audiences.yaml:")
    os.remove(root / "audiences.yaml")
    (root / "audiences.yaml").mkdir()
    with pytest.raises(FilterError) as err:
        audience_order(root)
    assert one_line(err.value).startswith(f"{root}/audiences.yaml: ")
