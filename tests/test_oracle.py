"""The torch oracle fixture (conftest.py): skip without torch, but fail under CI's
SMALLGRAD_REQUIRE_TORCH=1, so that the differential tests cannot silently vanish."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def run_without_torch(tmp_path: Path, require: str | None) -> subprocess.CompletedProcess:
    """Run a one-test suite that asks for `torch`, in a Python where `import torch` fails."""
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_needs_torch.py").write_text("def test_uses_oracle(torch):\n    pass\n")
    blocker = tmp_path / "blocker" / "torch"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('torch is blocked for this test')\n")
    env = {k: v for k, v in os.environ.items() if k != "SMALLGRAD_REQUIRE_TORCH"}
    env["PYTHONPATH"] = str(tmp_path / "blocker")
    if require is not None:
        env["SMALLGRAD_REQUIRE_TORCH"] = require
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "-p", "no:hypothesispytest", "-p", "no:nbval", str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )


def test_missing_torch_skips_by_default(tmp_path):
    result = run_without_torch(tmp_path, require=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout


def test_missing_torch_fails_when_required(tmp_path):
    result = run_without_torch(tmp_path, require="1")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "1 error" in result.stdout  # a failing fixture is reported as an error
    assert "SMALLGRAD_REQUIRE_TORCH=1" in result.stdout


def test_ci_requires_torch():
    makefile = (TESTS.parent / "Makefile").read_text(encoding="utf-8")
    ci_recipe = makefile.split("\nci:", 1)[1].split("\n\n", 1)[0]
    # the line that runs `make test` sets SMALLGRAD_REQUIRE_TORCH=1 (among other variables)
    test_lines = [line for line in ci_recipe.splitlines() if line.rstrip().endswith("$(MAKE) test")]
    assert test_lines, "`make ci` does not run `$(MAKE) test`"
    assert all(re.search(r"(^|\s)SMALLGRAD_REQUIRE_TORCH=1\s", line) for line in test_lines)


def test_oracle_is_the_pinned_torch(torch):
    assert torch.__version__.startswith("2.13.")
