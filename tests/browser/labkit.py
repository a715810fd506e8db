"""Helpers for the browser tests: the JupyterLab server handle, the network guard's record,
and the few JupyterLab UI steps the tests share (open a notebook, wait for its kernel,
Run All through the menu). The fixtures that use them are in conftest.py.

One rule for everything here: wait with Playwright (`page.wait_for_timeout`, `wait_for`, ...),
never with `time.sleep`. Playwright's sync API runs the route guard's callbacks only while the
test is inside a Playwright call, so a test that sleeps holds every request of the page.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]

# Generous for 2 shared cores; every wait fails with a message that says what it waited for.
SERVER_START_TIMEOUT = 120  # s
KERNEL_READY_TIMEOUT = 120  # s
UI_TIMEOUT_MS = 60_000  # for anything the page must show

# Debian's chromium, headless, with everything that phones home switched off.
# (Playwright rejects --user-data-dir here: the profile folder is its first argument.)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LOCAL_HOSTS = {"127.0.0.1"}


# --- skip, or fail under SMALLGRAD_REQUIRE_BROWSER=1 ----------------------------------------

def _missing(reason: str):
    if os.environ.get("SMALLGRAD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SMALLGRAD_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def require_browser_tools() -> str:
    """Check for Playwright and Chromium; return Chromium's path (or skip, or fail)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        _missing(f"the Python package `playwright` cannot be imported ({error}); "
                 "`make test-ui` installs it (pip install -e '.[browser]')")
    chromium = shutil.which("chromium")
    if chromium is None:
        _missing("Debian's `chromium` is not on PATH; `make test-ui` installs it "
                 "(apt-get install -y chromium). Do not use `playwright install`.")
    return chromium


# --- the server ------------------------------------------------------------------------------

@dataclass
class Lab:
    """A running JupyterLab, started by the `lab` fixture."""

    url: str  # http://127.0.0.1:<port>/
    token: str
    notebook_dir: Path  # the server's root: only what the tests copy or write there
    log_path: Path
    process: subprocess.Popen = field(repr=False)
    app: str = "lab"  # or "notebook" (Notebook 7)

    def api(self, path: str, method: str = "GET", timeout: float = 10):
        request = urllib.request.Request(
            self.url + path.lstrip("/"), method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {self.process.returncode}. "
                        f"Server log:\n{self.log_tail()}", pytrace=False)

    def notebook_url(self, name: str) -> str:
        if self.app == "notebook":
            return f"{self.url}notebooks/{quote(name)}?token={self.token}"
        return f"{self.url}lab/tree/{quote(name)}?reset&token={self.token}"

    def sessions(self) -> list[dict]:
        try:
            return self.api("api/sessions")
        except (urllib.error.URLError, OSError):
            return []

    def wait_for_kernel(self, page, name: str, timeout: float = KERNEL_READY_TIMEOUT) -> dict:
        """Wait until the kernel of notebook `name` is idle with a browser connected to it."""
        deadline = time.monotonic() + timeout
        sessions: list[dict] = []
        while time.monotonic() < deadline:
            self.check_alive()
            sessions = self.sessions()
            for session in sessions:
                kernel = session.get("kernel") or {}
                if (session.get("path") == name and kernel.get("execution_state") == "idle"
                        and kernel.get("connections", 0) >= 1):
                    return kernel
            page.wait_for_timeout(250)
        pytest.fail(f"the kernel of {name} was not idle and connected after {timeout} s: "
                    f"/api/sessions = {sessions!r}. Server log:\n{self.log_tail()}",
                    pytrace=False)

    def shutdown_kernel(self, name: str) -> None:
        """End the session (and kernel) of notebook `name`, to free the shared cores."""
        for session in self.sessions():
            if session.get("path") == name:
                with contextlib.suppress(urllib.error.URLError, OSError):
                    self.api(f"api/sessions/{session['id']}", method="DELETE")


# --- the network guard's record ---------------------------------------------------------------

@dataclass
class Guard:
    """What the route guard aborted, and the dialogs pages opened, since the last reset."""

    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.blocked.clear()
        self.dialogs.clear()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "file"):  # file: the pages tests write
        return True
    return parts.hostname in LOCAL_HOSTS


# --- notebooks --------------------------------------------------------------------------------

def copy_notebook(lab: Lab, source: Path, name: str | None = None) -> str:
    """Copy a notebook into the server's folder: the repository's copy is never opened."""
    name = name or source.name
    shutil.copyfile(source, lab.notebook_dir / name)
    return name


def write_notebook(lab: Lab, name: str, cells: list[str]) -> str:
    """Write a notebook of code cells, for the python3 kernel, into the server's folder."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, lab.notebook_dir / name)
    return name


def open_notebook(page, lab: Lab, name: str) -> None:
    """Open notebook `name` and wait for its kernel: idle and connected (in the server's
    view), then idle in the notebook's own execution indicator. Without this wait, a cold
    Run All can be sent before the kernel is there, and nothing runs."""
    page.goto(lab.notebook_url(name))
    page.locator(".jp-Notebook").first.wait_for(state="visible")
    lab.wait_for_kernel(page, name)
    if lab.app == "lab":  # (Notebook 7 has no execution indicator: the server's word counts)
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for()


def run_all(page, lab: Lab) -> None:
    """Run > Run All Cells, through the menu, then wait until every code cell has run.
    (In JupyterLab 4.6 the Run menu's item is `runmenu:run-all`, not `notebook:run-all-cells`.)
    """
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('li.lm-Menu-item[data-command="runmenu:run-all"], '
                 'li.lm-Menu-item[data-command="notebook:run-all-cells"]').first.click()
    wait_until_executed(page, lab)


_ALL_EXECUTED_JS = """
() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}
"""


def wait_until_executed(page, lab: Lab, timeout_ms: int = UI_TIMEOUT_MS) -> None:
    """Wait until every code cell shows an execution count, and the kernel is idle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_ALL_EXECUTED_JS, timeout=timeout_ms)
    except PlaywrightTimeout:
        lab.check_alive()
        prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_text_contents()
        pytest.fail(f"not every cell ran within {timeout_ms / 1000:.0f} s; input prompts: "
                    f"{prompts}; tracebacks: {tracebacks(page)}", pytrace=False)
    if lab.app == "lab":
        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').first.wait_for()


def outputs(page):
    """Every output in the notebook (not the code: the editors hold the same words)."""
    return page.locator(".jp-OutputArea-output")


def tracebacks(page) -> list[str]:
    """The text of every traceback the notebook shows (warnings on stderr do not count)."""
    texts = page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
    ).all_text_contents()
    return [text for text in texts if "Traceback" in text]


# --- a BackwardStepper in the page -------------------------------------------------------------

# The widget's own DOM (widgets/front.js): its edges carry the classes `active` and `done`.
EDGES_JS = """
(root) => {
  const result = {active: [], done: []};
  for (const g of root.querySelectorAll('svg g.edge')) {
    if (g.classList.contains('active')) result.active.push(g.id);
    else if (g.classList.contains('done')) result.done.push(g.id);
  }
  return result;
}
"""

# Is the active edge's bounding box inside the part of the widget's picture box one sees?
ACTIVE_IN_VIEW_JS = """
(root) => {
  const edge = root.querySelector('svg g.edge.active');
  const box = root.querySelector('.sg-scroll');
  if (!edge || !box) return {ok: false, why: 'no active edge or no picture box'};
  const e = edge.getBoundingClientRect(), b = box.getBoundingClientRect();
  const view = {left: Math.max(b.left, 0), top: Math.max(b.top, 0),
                right: Math.min(b.right, innerWidth), bottom: Math.min(b.bottom, innerHeight)};
  const ok = e.width > 0 && e.left >= view.left - 1 && e.right <= view.right + 1
             && e.top >= view.top - 1 && e.bottom <= view.bottom + 1;
  return {ok, edge: [e.left, e.top, e.right, e.bottom],
          box: [view.left, view.top, view.right, view.bottom]};
}
"""


class Stepper:
    """One BackwardStepper's output in the page (`root` holds its .sg-root)."""

    def __init__(self, page, root):
        self.page, self.root = page, root
        self.card = root.locator("pre.sg-card")

    def button(self, text: str):
        return self.root.locator("button.sg-button", has_text=text)

    def status(self) -> str:
        return self.root.locator(".sg-counter").inner_text()

    def wait_status(self, position: int) -> None:
        self.root.locator(".sg-counter",
                          has_text=re.compile(rf"^step {position}/\d+$")).wait_for()

    def click(self, text: str, position: int) -> None:
        self.button(text).click()
        self.wait_status(position)
        self.card.filter(has_text="Before backward" if position == 0
                         else f"Step {position} of").wait_for()

    def edges(self) -> dict[str, list[str]]:
        return self.root.locator(".sg-root").evaluate(EDGES_JS)

    def step_forward(self, steps: int) -> tuple[list[str], list[str]]:
        """Click "next ▶" `steps` times from step 0; each click must light exactly one new
        edge and leave the earlier ones done. Returns the active edge and card of each."""
        active, cards = [], []
        for position in range(1, steps + 1):
            self.click("next ▶", position)
            edges = self.edges()
            assert len(edges["active"]) == 1, f"step {position}: active edges {edges['active']}"
            assert len(edges["done"]) == position - 1, f"step {position}: done edges {edges}"
            active.append(edges["active"][0])
            cards.append(self.card.inner_text())
        return active, cards

    def active_in_view(self) -> dict:
        return self.root.locator(".sg-root").evaluate(ACTIVE_IN_VIEW_JS)

    def panels(self) -> str:
        return "\n".join(self.root.locator("pre").all_inner_texts())


def steppers(page):
    """The outputs that hold a BackwardStepper."""
    return outputs(page).filter(has=page.locator(".sg-root.sg-stepper"))
