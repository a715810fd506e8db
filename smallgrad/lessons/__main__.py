"""`python -m smallgrad.lessons [DIR] [--force]`: copy the lessons into DIR and say how to
open them. The console script `smallgrad-lessons` runs the same `main`."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import DEFAULT_DIR, copy_lessons


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m smallgrad.lessons",
        description="Copy smallgrad's lesson notebooks (with their checkers, solutions, "
                    "teachers' notes and the Chinese edition) into a folder.")
    parser.add_argument("dir", nargs="?", default=DEFAULT_DIR,
                        help=f"where to put them (default: ./{DEFAULT_DIR})")
    parser.add_argument("--force", action="store_true",
                        help="also replace notebooks you have edited (your edits are lost)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    dest = Path(args.dir)
    if dest.exists() and not dest.is_dir():
        print(f"error: {dest} exists and is not a folder", file=sys.stderr)
        return 2
    report = copy_lessons(dest, force=args.force)
    print(f"{dest}/: {len(report.copied)} files copied, {len(report.unchanged)} already "
          "up to date")
    for name in report.replaced:
        print(f"  replaced your edited {name} (--force)")
    if report.kept:
        print(f"kept {len(report.kept)} notebooks you have edited (they differ from this "
              "version's):")
        for name in report.kept:
            print(f"  {name}")
        print("  to replace them with fresh copies (your edits are lost), add --force")
    print("\nOpen the lessons in JupyterLab (Lesson 1 is 01_requires_grad.ipynb):")
    print(f"  jupyter lab {shlex.quote(str(dest))}")
    if (dest / "zh").is_dir():
        print(f"The Chinese edition is in {shlex.quote(str(dest / 'zh'))}/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
