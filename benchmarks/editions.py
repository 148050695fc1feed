"""How much the Vietnamese edition adds to the website's build, measured in one run.

    python benchmarks/editions.py                  # from clean, notebooks executed (the README's build)
    python benchmarks/editions.py --execute off    # from clean, stored outputs only (the tests' build)

Copies ``book/`` (without ``_build``) to a temporary folder and runs ``tools/build_site.py``'s
build there from nothing: the English edition, then the Vietnamese one, which reads the
English build's execution cache (no notebook runs twice). Prints each edition's wall
time and the ratio of both editions to the English one alone; the target is under 2.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", choices=("off", "cache"), default="cache")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="editions_"))
    try:
        src = work / "book"
        shutil.copytree(ROOT / "book", src, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
        load = os.getloadavg()[0]
        seconds: dict[str, float] = {}
        build_site.build(src, args.execute, seconds)
        en, both = seconds["en"], sum(seconds.values())
        print(f"\nexecution {args.execute}, {os.cpu_count()} cores, load average {load:.1f} at the start")
        print("  ".join(f"{k}: {v:.1f} s" for k, v in seconds.items()))
        print(f"both editions / English alone = {both / en:.2f} (target: under 2) -> "
              f"{'MET' if both / en < 2 else 'NOT MET'}")
        return 0 if both / en < 2 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
