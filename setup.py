"""Build hook (everything else is in pyproject.toml): the wheel carries the lessons.

The lessons live in lessons/ at the top of the repository. Building a wheel copies them to
smallgrad/lessons/content/, where `python -m smallgrad.lessons` finds them. An editable
install (`make setup`) copies nothing: there smallgrad.lessons reads lessons/ directly.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LESSONS = Path(__file__).resolve().parent / "lessons"
CACHES = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", ".pytest_cache")


class BuildPyWithLessons(build_py):
    def run(self) -> None:
        super().run()
        if not self.editable_mode:
            target = Path(self.build_lib) / "smallgrad" / "lessons" / "content"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(LESSONS, target, ignore=CACHES)


setup(cmdclass={"build_py": BuildPyWithLessons})
