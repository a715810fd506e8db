"""The lessons as a pip user and a Colab user get them.

- `python -m smallgrad.lessons DIR` copies every lesson file, keeps a notebook the student
  edited (unless --force), refreshes the support files, and says how to open them;
- every lesson's first cell installs the package on Colab only (under the distribution name
  pyproject.toml gives), finds the packaged `_check/` there, and stops with a clear error when
  `import widgets` finds another package;
- `make ci` runs the wheel test and the Colab-pinned test (scripts/test-wheel.sh).

The wheel itself is tested by `make test-wheel` (a fresh venv, nbval on the copied lessons).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_packaging import makefile_rules, runs_target

from smallgrad import lessons as packaged
from smallgrad.lessons.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NOTEBOOKS = sorted(LESSONS.rglob("[0-9][0-9]_*.ipynb"))


def distribution_name() -> str:
    return re.search(r'^name = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def first_cell(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return next("".join(c["source"]) for c in cells if c["cell_type"] == "code"
                and "import smallgrad as t" in "".join(c["source"]))


# --- copying the lessons out --------------------------------------------------------------


def test_a_checkout_uses_its_own_lessons_folder():
    assert packaged.content_dir() == LESSONS


def test_copy_brings_every_lesson_file(tmp_path, capsys):
    assert main([str(tmp_path / "mine")]) == 0
    expected = packaged.lesson_files(LESSONS)
    assert packaged.lesson_files(tmp_path / "mine") == expected
    names = {str(p) for p in expected}
    assert {"_check/__init__.py", "solutions.md", "teachers.md", "04_stepping.ipynb"} <= names
    assert not any("__pycache__" in n or "checkpoint" in n for n in names)
    out = capsys.readouterr().out
    assert f"{len(expected)} files copied" in out
    assert f"jupyter lab {tmp_path / 'mine'}" in out


def test_an_edited_notebook_is_kept_unless_forced(tmp_path, capsys):
    dest = tmp_path / "class"
    main([str(dest)])
    mine, support = dest / "03_graph.ipynb", dest / "solutions.md"
    mine.write_text(mine.read_text(encoding="utf-8") + " ", encoding="utf-8")  # the student's
    support.write_text("stale", encoding="utf-8")
    capsys.readouterr()

    main([str(dest)])
    out = capsys.readouterr().out
    assert mine.read_text(encoding="utf-8").endswith(" "), "an edited notebook was replaced"
    assert support.read_bytes() == (LESSONS / "solutions.md").read_bytes()  # refreshed
    assert "kept 1 notebooks you have edited" in out and "03_graph.ipynb" in out
    assert "--force" in out

    main([str(dest), "--force"])
    out = capsys.readouterr().out
    assert mine.read_bytes() == (LESSONS / "03_graph.ipynb").read_bytes()
    assert "replaced your edited 03_graph.ipynb" in out


def test_the_default_folder_and_a_file_in_the_way(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    main([])
    assert (tmp_path / "smallgrad-lessons" / "01_requires_grad.ipynb").is_file()
    (tmp_path / "a-file").write_text("x")
    assert main(["a-file"]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "smallgrad.lessons", str(tmp_path / "m")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m" / "_check" / "__init__.py").is_file()


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'smallgrad-lessons = "smallgrad.lessons.__main__:main"' in text


# --- every lesson's first cell ------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[str(p.relative_to(LESSONS)) for p in NOTEBOOKS])
def test_first_cell_installs_on_colab_and_checks_widgets(path):
    source = first_cell(path)
    edition = "" if path.parent == LESSONS else path.parent.name
    assert 'if "google.colab" in sys.modules:' in source
    assert f'%pip install -q "{distribution_name()}[widgets]"' in source
    assert 'if find_spec("smallgrad") is None:' in source  # only when it is missing
    assert f'use_bundled_support("{edition}")' in source
    if re.search(r"^import widgets$", source, re.M):
        assert 'if not hasattr(widgets, "SMALLGRAD_WIDGETS"):' in source


def test_widgets_carries_the_marker():
    import widgets

    assert widgets.SMALLGRAD_WIDGETS is True


RUN_CELL = """
import sys
from IPython.core.interactiveshell import InteractiveShell
{before}
result = InteractiveShell.instance().run_cell(open(sys.argv[1], encoding="utf-8").read())
error = result.error_in_exec or result.error_before_exec
print("ERROR", type(error).__name__, error) if error else print("OK")
"""


def run_first_cell(tmp_path, cwd: Path, before: str = "", path_first: str = "") -> str:
    """Run lesson 03's first cell in a fresh IPython, in `cwd`, with `path_first` first on
    sys.path; what it printed last ("OK" or "ERROR <class> <message>")."""
    cell = tmp_path / "cell.py"
    cell.write_text(first_cell(LESSONS / "03_graph.ipynb"), encoding="utf-8")
    script = RUN_CELL.format(before=textwrap.dedent(before))
    paths = [p for p in (path_first, str(ROOT)) if p]
    done = subprocess.run([sys.executable, "-c", script, str(cell)], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": ":".join(paths), "PATH": "/usr/bin:/bin",
                               "HOME": str(tmp_path), "IPYTHONDIR": str(tmp_path / "ipy")})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_another_widgets_package_stops_the_lesson_clearly(tmp_path):
    impostor = tmp_path / "elsewhere"
    (impostor / "widgets").mkdir(parents=True)
    (impostor / "widgets" / "__init__.py").write_text("draw = None  # someone else's\n")
    last = run_first_cell(tmp_path, LESSONS, path_first=str(impostor))
    assert last.startswith("ERROR ImportError `import widgets` found "), last
    assert str(impostor / "widgets" / "__init__.py") in last
    assert "not smallgrad's widgets" in last


def test_the_first_cell_runs_as_is(tmp_path):
    assert run_first_cell(tmp_path, LESSONS) == "OK"


def test_on_colab_a_notebook_alone_finds_the_packaged_checkers(tmp_path):
    alone = tmp_path / "content"  # Colab's folder: the notebook, without _check/
    alone.mkdir()
    before = """
    import types
    sys.modules["google.colab"] = types.ModuleType("google.colab")  # as Colab has it
    """
    assert run_first_cell(tmp_path, alone, before=before) == "OK"
    # and without Colab, the same folder lacks the checkers (the cell does not hide that)
    assert run_first_cell(tmp_path, alone).startswith("ERROR ModuleNotFoundError")


# --- CI -----------------------------------------------------------------------------------


def test_ci_tests_the_wheel_and_colabs_versions():
    rules = makefile_rules()
    assert runs_target(rules, "ci", "test-wheel")
    assert re.search(r"\$\(MAKE\) test-wheel test-colab", " ".join(rules["ci"][1]))
    assert "scripts/test-wheel.sh" in " ".join(rules["test-wheel"][1])
    assert "--colab" in " ".join(rules["test-colab"][1])
    pins = (ROOT / "scripts" / "colab-pins.txt").read_text()
    for pin in ("ipywidgets==7.7.1", "anywidget==0.9.21", "jupyterlab_widgets==1.1.1",
                "numpy==2.1.*"):
        assert re.search(rf"^{re.escape(pin)}(\s|$)", pins, re.M), pin
