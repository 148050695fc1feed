"""Time the website's build from clean: a copy of ``book/``, notebook execution off, ``jupyter-book build``.

The same build the test suite makes (``built_site`` in ``tests/conftest.py``): ``book/`` is
copied without ``_build`` to a temporary folder, ``execute_notebooks`` is set to ``'off'``
there (the site shows the stored outputs, which nbval checks), and
``jupyter-book build <copy> -W -n --keep-going`` runs from nothing. Prints the wall time,
the machine's cores and load, and whether it is under the target (90 s on 2 cores).

``--ref HEAD`` builds the committed ``book/`` of that commit (``git archive``) instead of the
working tree, for a figure that does not depend on unfinished edits.

Run from the repository root:  python benchmarks/site_build.py [--ref REF] [--keep]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 90.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the built copy and print its path")
    parser.add_argument("--ref", help="build book/ as committed in this git ref, not the working tree")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="site_build_"))
    src = work / "book"
    if args.ref:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.ref, "book"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
    else:
        shutil.copytree(ROOT / "book", src, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    config = src / "_config.yml"
    text, n = re.subn(r"execute_notebooks:\s*\w+", "execute_notebooks: 'off'", config.read_text())
    if n != 1:
        sys.exit("book/_config.yml should set execute.execute_notebooks exactly once")
    config.write_text(text)
    jb = Path(sys.executable).with_name("jupyter-book")
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run([str(jb), "build", str(src), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    pages = len(list((src / "_build" / "html").rglob("*.html")))
    if proc.returncode:
        print((proc.stdout + proc.stderr)[-3000:])
    source = f"book/ at {args.ref}" if args.ref else "book/ (working tree)"
    print(f"jupyter-book build of {source} from clean (execution off): {seconds:.1f} s, {pages} HTML files, "
          f"exit code {proc.returncode}; {os.cpu_count()} cores, load average {load:.2f} at the start")
    ok = proc.returncode == 0 and seconds < TARGET_S
    print(f"target: under {TARGET_S:.0f} s on 2 cores -> {'MET' if ok else 'NOT MET'}")
    if args.keep:
        print(f"site: {src / '_build' / 'html'}")
    else:
        shutil.rmtree(work)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
