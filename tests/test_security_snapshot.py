"""Snapshots never lose data: a folder that is not a snapshot is refused and left untouched,
a kill at any moment leaves the old or the new snapshot, concurrent writers and readers
(threads and processes, CLI and Sphinx builds) never see a missing or half snapshot, nothing
is left behind, and permissions follow the umask.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from httpserver import Route, scripted_server, unused_port
from sphinx_apidocs.cli import main
from sphinx_apidocs.spec import load_spec
from sphinx_apidocs.spec.fetch import Document
from sphinx_apidocs.spec.loader import build_spec
from sphinx_apidocs.spec.serve import serving
from sphinx_apidocs.spec.snapshot import (
    MARKER_NAME,
    POINTER_NAME,
    SnapshotError,
    has_snapshot,
    reading,
    snapshot_files,
    write_snapshot,
)
from sphinx_apidocs.spec.sources import Declared, DocumentSet, load_documents
from sphinx_projects.buildtools import python_env, sphinx_build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_specs"
REFUSED = (
    "{target}: not empty and not a snapshot folder written by sphinx-apidocs (no .apidocs-snapshot file); "
    "refusing to write a snapshot into it: choose an empty or new folder"
)


def tree(folder: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every entry below ``folder`` with its mode and content (link text for links)."""
    found: dict[str, tuple[int, bytes | str]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            found[str(path.relative_to(folder))] = (info.st_mode, os.readlink(path))
        elif path.is_file():
            found[str(path.relative_to(folder))] = (info.st_mode, path.read_bytes())
        else:
            found[str(path.relative_to(folder))] = (info.st_mode, "")
    return found


def user_folder(path: Path) -> Path:
    path.mkdir()
    (path / "conf.py").write_text("extensions = []\n")
    (path / "index.rst").write_text("Home\n====\n")
    (path / "sub").mkdir()
    (path / "sub" / "notes.json").write_text('{"mine": true}')
    return path


def sample_routes() -> dict[str, Route]:
    return {f"/api-docs{'' if p.name == 'api-docs.json' else '/' + p.name}": Route(body=p.read_bytes()) for p in SAMPLE.glob("*.json")}


def hidden(folder: Path) -> list[str]:
    """The snapshot's own entries, generations and pointer abbreviated."""
    names = []
    for name in sorted(os.listdir(folder)):
        if name.startswith(".apidocs-gen-"):
            names.append(".apidocs-gen-*")
        elif name.startswith("."):
            names.append(name)
    return names


# -- refusing folders that are not snapshots -------------------------------------------------


def test_snapshot_into_a_folder_that_is_not_a_snapshot_is_refused_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = user_folder(tmp_path / "docs")
    before = tree(target)
    with scripted_server(sample_routes()) as server:
        started = time.perf_counter()
        assert main(["snapshot", f"{server.base}/api-docs", "-o", str(target)]) == 1
        assert time.perf_counter() - started < 5
        assert server.requests == []  # refused before fetching anything
    out, err = capsys.readouterr()
    assert out == "" and err == "error: " + REFUSED.format(target=target) + "\n"
    assert tree(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]


def test_snapshot_onto_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "conf.py"
    target.write_text("x = 1\n")
    assert main(["snapshot", str(SAMPLE), "-o", str(target)]) == 1
    assert capsys.readouterr().err == f"error: {target}: exists and is not a folder; refusing to replace it with a snapshot\n"
    assert target.read_text() == "x = 1\n" and sorted(os.listdir(tmp_path)) == ["conf.py"]


def test_an_empty_folder_may_become_a_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "snap"
    target.mkdir()
    assert main(["snapshot", str(SAMPLE), "-o", str(target)]) == 0
    generation = os.readlink(target / POINTER_NAME)
    assert main(["snapshot", str(SAMPLE), "-o", str(target)]) == 0  # the same documents: kept as they are
    assert os.readlink(target / POINTER_NAME) == generation
    assert main(["snapshot", str(other_spec(tmp_path, "A", 2)), "-o", str(target)]) == 0  # replaced
    assert main(["snapshot", str(SAMPLE), "-o", str(target)]) == 0  # and replaced again
    assert os.readlink(target / POINTER_NAME) != generation
    assert capsys.readouterr().out == f"{target}: wrote 7 documents\n" * 2 + f"{target}: wrote 3 documents\n{target}: wrote 7 documents\n"
    assert hidden(target) == [POINTER_NAME, ".apidocs-gen-*", MARKER_NAME]
    visible = sorted(p.name for p in target.iterdir() if not p.name.startswith("."))
    assert visible == sorted(p.name for p in SAMPLE.glob("*.json")) == snapshot_files(str(target))
    assert load_spec(str(target)).operation("get-auth-user-info") is not None  # a plain folder read
    assert main(["validate", str(target)]) == 0
    assert capsys.readouterr().out == f"{target}: valid Swagger 1.2: 6 resources, 30 operations\n"


SPHINX_CONF = """\
extensions = ["sphinx_apidocs"]
apidocs_spec = {spec!r}
apidocs_filters = ""
apidocs_timeout = 3
apidocs_snapshot = {snapshot!r}
"""


def sphinx_project(root: Path, url: str, snapshot: str) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "conf.py").write_text(SPHINX_CONF.format(spec=url, snapshot=snapshot))
    (src / "index.rst").write_text("API\n===\n\n.. api:spec::\n")
    return src


@pytest.mark.parametrize("snapshot", [".", "..", "sub"])
def test_apidocs_snapshot_on_the_source_folder_deletes_nothing(tmp_path: Path, snapshot: str) -> None:
    with scripted_server(sample_routes()) as server:
        src = sphinx_project(tmp_path, f"{server.base}/api-docs", snapshot)
        (src / "sub").mkdir()
        (src / "sub" / "page.rst").write_text("Page\n====\n")
        (src / "index.rst").write_text("API\n===\n\n.. api:spec::\n\n.. toctree::\n\n   sub/page\n")
        before = tree(tmp_path)
        result = sphinx_build(["-q", "-b", "html", str(src), str(tmp_path / "out")])
    target = os.path.normpath(src / snapshot)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line]
    assert warnings == [f"WARNING: cannot save the spec snapshot: {REFUSED.format(target=target)} [apidocs.fetch]"]
    assert "Traceback" not in result.stderr
    after = {k: v for k, v in tree(tmp_path).items() if not k.startswith(("out", "src/.doctrees"))}
    assert after == {k: v for k, v in before.items()}  # conf.py and every other file as they were


# -- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_snapshot_permissions_follow_the_umask(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "snap"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_apidocs", "snapshot", str(SAMPLE), "-o", str(target)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=python_env(), preexec_fn=lambda: os.umask(umask),
    )
    assert result.returncode == 0, result.stderr
    for path in [target, *target.rglob("*")]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue
        expected = (0o777 if stat.S_ISDIR(info.st_mode) else 0o666) & ~umask
        assert stat.S_IMODE(info.st_mode) == expected, (path, oct(info.st_mode))


# -- failures and kills leave the old or the new snapshot, and nothing else -----------------


def documents_of(folder: Path) -> DocumentSet:
    return load_documents(str(folder))


def other_spec(root: Path, title: str = "Other", resources: int = 1) -> Path:
    """A small 1.x spec whose file names differ from the sample's."""
    folder = root / f"other-{title}-{resources}"
    folder.mkdir()
    apis = [{"path": f"/thing{i}.{{format}}", "description": f"Thing {i}"} for i in range(resources)]
    (folder / "api-docs.json").write_text(json.dumps({"swaggerVersion": "1.2", "info": {"title": title}, "apis": apis}))
    for i in range(resources):
        declaration = {"swaggerVersion": "1.2", "basePath": "https://x.example", "resourcePath": f"/thing{i}",
                       "apis": [{"path": f"/thing{i}", "operations": [{"method": "GET", "nickname": f"get-thing{i}", "type": "void", "parameters": []}]}]}
        (folder / f"thing{i}.json").write_text(json.dumps(declaration))
    return folder


def test_a_failed_write_keeps_the_previous_snapshot_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "snap"
    write_snapshot(documents_of(SAMPLE), str(target))
    before = tree(target)
    raw = b'{"swaggerVersion": "1.2"}'
    clash = DocumentSet("x", None, (
        Declared(Document("a", raw, {}), "/a", "", "a.json"),
        Declared(Document("b", raw, {}), "/b", "", "a.json/b.json"),  # a folder where a file is
    ))
    with pytest.raises(SnapshotError) as error:
        write_snapshot(clash, str(target))
    assert str(error.value) == f"{target}: cannot write the snapshot file a.json/b.json: File exists"
    assert tree(target) == before


WRITER = textwrap.dedent("""
    import sys
    from sphinx_apidocs.spec.snapshot import write_snapshot
    from sphinx_apidocs.spec.sources import load_documents
    target, *sources = sys.argv[1:]
    sets = [load_documents(s) for s in sources]
    print("ready", flush=True)
    i = 0
    while True:
        write_snapshot(sets[i % len(sets)], target)
        i += 1
""")


@pytest.mark.parametrize("same_names", [True, False], ids=["same-files", "other-files"])
def test_a_kill_at_any_moment_leaves_a_usable_snapshot(tmp_path: Path, same_names: bool, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "snap"
    if same_names:
        sources = [other_spec(tmp_path, "A", 3), other_spec(tmp_path, "B", 3)]
    else:
        sources = [SAMPLE, other_spec(tmp_path, "A", 1), other_spec(tmp_path, "B", 4)]
    titles = {load_spec(str(s)).info.title for s in sources}
    write_snapshot(documents_of(sources[0]), str(target))
    rng = random.Random(7)
    for _ in range(12):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(target), *map(str, sources)],
                                   stdout=subprocess.PIPE, cwd=ROOT, env=python_env())
        assert process.stdout is not None and process.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0, 0.25))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        assert has_snapshot(str(target))
        assert main(["validate", str(target)]) == 0, capsys.readouterr().err
        with reading(str(target)) as generation:
            assert build_spec(load_documents(generation)).info.title in titles
        if same_names:  # the links of a plain folder read never dangle
            assert load_spec(str(target)).info.title in titles
    capsys.readouterr()
    write_snapshot(documents_of(sources[0]), str(target))  # the next run tidies everything up
    assert hidden(target) == [POINTER_NAME, ".apidocs-gen-*", MARKER_NAME]
    visible = sorted(str(p.relative_to(target)) for p in target.rglob("*") if not str(p.relative_to(target)).startswith("."))
    assert visible == snapshot_files(str(target))
    assert sorted(os.listdir(tmp_path)) == sorted(["snap", *(s.name for s in sources if s.parent == tmp_path)])


# -- concurrent writers and readers --------------------------------------------------------


def test_concurrent_writers_and_readers_in_threads(tmp_path: Path) -> None:
    target = str(tmp_path / "snap")
    sets = [documents_of(SAMPLE), documents_of(other_spec(tmp_path, "A", 2)), documents_of(other_spec(tmp_path, "B", 5))]
    titles = {build_spec(s).info.title for s in sets}
    write_snapshot(sets[0], target)
    errors: list[BaseException] = []
    done = threading.Event()

    def writer(seed: int) -> None:
        try:
            for i in range(12):
                write_snapshot(sets[(seed + i) % len(sets)], target)
        except BaseException as exc:  # noqa: BLE001 - collected and re-raised by the test
            errors.append(exc)

    def reader() -> None:
        try:
            while not done.is_set():
                with reading(target) as generation:
                    assert build_spec(load_documents(generation)).info.title in titles
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    for thread in readers:
        thread.join(timeout=60)
    assert errors == []
    write_snapshot(sets[0], target)  # generations still being read were kept; now they go
    assert hidden(Path(target)) == [POINTER_NAME, ".apidocs-gen-*", MARKER_NAME]


READER = textwrap.dedent("""
    import sys
    from sphinx_apidocs.cli import main
    for _ in range(int(sys.argv[2])):
        status = main(["validate", sys.argv[1]])
        if status:
            sys.exit(status)
""")


def test_concurrent_writers_and_readers_in_processes(tmp_path: Path) -> None:
    target = tmp_path / "snap"
    sources = [SAMPLE, other_spec(tmp_path, "A", 2), other_spec(tmp_path, "B", 5)]
    write_snapshot(documents_of(SAMPLE), str(target))
    env = python_env()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(target), *map(str, sources[n:] + sources[:n])],
                         stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
        for n in range(2)
    ]
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(target), "25"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        for _ in range(2)
    ]
    try:
        results = [(r.wait(timeout=240), r.stderr.read()) for r in readers]  # type: ignore[union-attr]
    finally:
        for process in writers:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
    assert results == [(0, ""), (0, "")]


def test_concurrent_sphinx_builds_share_one_snapshot(tmp_path: Path) -> None:
    """Several builds at once save and, with the endpoint gone, read the same snapshot."""
    with scripted_server(sample_routes()) as server:
        url = f"{server.base}/api-docs"
        projects = [sphinx_project(tmp_path / f"p{n}", url, str(tmp_path / "shared")) for n in range(3)]
        runs = [subprocess.Popen([sys.executable, "-m", "sphinx", "build", "-q", "-b", "html", str(src), str(src.parent / "out")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**python_env(), "NO_COLOR": "1"})
                for src in projects]
        outcomes = [(run.wait(timeout=240), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    assert outcomes == [(0, "")] * 3
    dead = f"http://127.0.0.1:{unused_port()}/api-docs"
    for src in projects:
        (src / "conf.py").write_text(SPHINX_CONF.format(spec=dead, snapshot=str(tmp_path / "shared")))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path / "shared"), str(SAMPLE), str(other_spec(tmp_path, "A", 2))],
                              stdout=subprocess.DEVNULL, cwd=ROOT, env=python_env())
    try:
        runs = [subprocess.Popen([sys.executable, "-m", "sphinx", "build", "-E", "-q", "-b", "html", str(src), str(src.parent / "out")],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**python_env(), "NO_COLOR": "1"})
                for src in projects]
        outcomes = [(run.wait(timeout=240), run.stderr.read()) for run in runs]  # type: ignore[union-attr]
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    for status, err in outcomes:
        assert status == 0, err
        assert "using the last good copy in" in err and "Traceback" not in err


def test_a_snapshot_folder_as_the_spec_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "snap"
    with serving(str(SAMPLE)) as url:
        assert main(["snapshot", url, "-o", str(target)]) == 0
    assert main(["snapshot", str(target), "-o", str(tmp_path / "copy")]) == 0  # a snapshot of a snapshot
    assert snapshot_files(str(tmp_path / "copy")) == snapshot_files(str(target))
    marked_only = tmp_path / "marked"
    marked_only.mkdir()
    (marked_only / MARKER_NAME).write_text("")
    assert main(["validate", str(marked_only)]) == 1
    err = capsys.readouterr().err
    assert err.endswith(f"error: {marked_only}: the snapshot folder holds no complete snapshot yet\n")
