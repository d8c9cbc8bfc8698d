"""Build these docs against a live endpoint: serve ``sample_specs/``, run ``sphinx-build -W``.

    python docs/build_with_live_endpoint.py [BUILDER] [extra sphinx-build options...]

The sample API is served on 127.0.0.1 (a free port) for the duration of the build, exactly as
a service would serve its ``/api-docs``; ``APIDOCS_SPEC`` points ``docs/conf.py`` at it. The
exit status is sphinx-build's. Any builder passes ``-W``: ``html`` (the default), ``epub``,
``text``, ``latex``, ``man``...

The doctrees go to ``docs/_build/doctrees/BUILDER``, not into the output folder (where
``sphinx-build`` puts them by default): the epub builder packs every file of its output folder
and warns about each one it has no media type for (``.doctree``, ``environment.pickle``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from sphinx_apidocs.spec.serve import serving  # noqa: E402


def main(argv: list[str]) -> int:
    builder = argv[0] if argv and not argv[0].startswith("-") else "html"
    extra = argv[1:] if argv and not argv[0].startswith("-") else argv
    out = HERE / "_build" / builder
    if not any(arg == "-d" or arg.startswith(("-d", "--doctree-dir")) for arg in extra):
        extra = ["-d", str(HERE / "_build" / "doctrees" / builder), *extra]
        shutil.rmtree(out / ".doctrees", ignore_errors=True)  # left there by an earlier run
    with serving(str(ROOT / "sample_specs")) as url:
        print(f"serving sample_specs at {url}")
        env = {**os.environ, "APIDOCS_SPEC": url, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        command = [sys.executable, "-m", "sphinx", "build", "-W", "--keep-going", "-b", builder, *extra, str(HERE), str(out)]
        status = subprocess.call(command, env=env)
    print("endpoint stopped")
    if status == 0:
        index = out / "index.html"
        print(f"the {builder} output is in {out}" + (f" (open {index})" if index.exists() else ""))
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
