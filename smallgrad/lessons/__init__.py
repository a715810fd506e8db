"""The lessons that ship inside the package, and the command that copies them out.

    python -m smallgrad.lessons [DIR] [--force]     (or the console script `smallgrad-lessons`)

copies the notebooks, their checkers (`_check/`), the solutions, the teachers' notes and the
Chinese edition (`zh/`, where it exists) into DIR (default ./smallgrad-lessons). A notebook
already in DIR that differs from the packaged one is the student's work: it is kept unless
`--force` is given. The support files (checkers, solutions, notes) are always refreshed.

In the wheel the lessons sit in `content/` beside this file (setup.py copies them there at
build time); in a checkout of the repository they are the repository's `lessons/` folder.
Its own code needs only the standard library (importing it imports smallgrad first, as any
subpackage does); it never imports widgets.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DIR = "smallgrad-lessons"
SKIPPED = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def content_dir() -> Path:
    """Where this installation keeps its lessons (the wheel's copy, or the checkout's)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "content", here.parents[1] / "lessons"):
        if (candidate / "_check").is_dir():
            return candidate
    raise FileNotFoundError(f"no lessons found next to {here}: this installation lacks them")


def use_bundled_support(edition: str = "") -> None:
    """Put the packaged lesson folder of `edition` ("" for English, "zh") on sys.path, so
    `from _check import ...` works in a notebook opened alone (as Google Colab opens one)."""
    folder = str(content_dir() / edition)
    if folder not in sys.path:
        sys.path.append(folder)  # appended: a _check/ next to the notebook still comes first


@dataclass
class CopyReport:
    copied: list[Path] = field(default_factory=list)  # new, or refreshed support files
    unchanged: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # edited notebooks left alone
    replaced: list[Path] = field(default_factory=list)  # edited notebooks overwritten (--force)


def lesson_files(source: Path) -> list[Path]:
    """Every file of the lessons, relative to `source`, without caches and checkpoints."""
    return sorted(p.relative_to(source) for p in source.rglob("*")
                  if p.is_file() and not SKIPPED & set(p.relative_to(source).parts))


def copy_lessons(dest: Path, *, force: bool = False, source: Path | None = None) -> CopyReport:
    """Copy the lessons into `dest`; keep a notebook there that differs unless `force`."""
    source = content_dir() if source is None else source
    report = CopyReport()
    for relative in lesson_files(source):
        src, target = source / relative, dest / relative
        if target.exists() and filecmp.cmp(src, target, shallow=False):
            report.unchanged.append(relative)
            continue
        if target.exists() and target.suffix == ".ipynb":
            if not force:
                report.kept.append(relative)
                continue
            report.replaced.append(relative)
        else:
            report.copied.append(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return report
