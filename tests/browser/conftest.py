"""A real JupyterLab (and Notebook 7, and marimo) in a real (headless) Chromium, for the
`browser` tests.

- `lab` (session): JupyterLab started by the test itself, on 127.0.0.1 with a free port and
  a random token, with its own temporary runtime, config, data, workspaces and IPython
  folders, and a notebook folder holding only what the tests copy or write there (the
  repository's notebooks are never opened in place, so their stored outputs never change).
  It is stopped through its own process handle (`/api/shutdown`, then terminate, then kill).
- `browser_context` (session): Debian's `chromium`, driven by Playwright's Python API through
  `executable_path`, with a fresh profile folder (`playwright install` is never needed).
  A route guard aborts every request, and refuses every WebSocket, that is not to 127.0.0.1,
  and records it.
- `page` (per test): a new tab. After the test it asserts that nothing tried to leave the
  machine (no blocked request) and that no dialog (`alert`, `confirm`, ...) was opened.
  `tab` is the same without JupyterLab (for Notebook 7, marimo and file:// pages).
- `notebook7` (session): Notebook 7, set up like `lab`.
- `marimo_app` (per test): `marimo run` on a notebook file the test writes, on 127.0.0.1
  with no token and a temporary HOME and XDG folders; stopped by its own process handle.

Without `chromium` or the `playwright` package the tests are skipped, with the reason. With
SMALLGRAD_REQUIRE_BROWSER=1 (`make test-ui` and CI set it) a missing piece fails instead, so
the browser tests can never disappear from CI unnoticed.

The tests are marked `browser`, and deselected by default (`addopts` in pyproject.toml):
run them with `make test-ui`, or `pytest -m browser tests/browser`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .labkit import (
    CHROMIUM_ARGS,
    REPO,
    SERVER_START_TIMEOUT,
    UI_TIMEOUT_MS,
    Guard,
    Lab,
    is_local,
    require_browser_tools,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def _start_jupyter(tmp_path_factory, app: str) -> Lab:
    """JupyterLab (app="lab") or Notebook 7 (app="notebook"), set up as the docstring says."""
    require_browser_tools()  # no server for a browser that is not there
    base = tmp_path_factory.mktemp(f"jupyter{app}")
    dirs = {name: base / name for name in
            ("runtime", "config", "data", "workspaces", "ipython", "notebooks")}
    for path in dirs.values():
        path.mkdir()

    # Server side: no news feed, no update check, no PyPI extension manager.
    _write_json(dirs["config"] / "jupyter_server_config.json", {
        "LabApp": {
            "news_url": None,
            "check_for_updates_class": "jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "extension_manager": "readonly",
        },
    })
    # Front end: the news pop-up off, and every cell attached to the DOM (no windowing, so
    # outputs scrolled out of view can be found). These are overrides of the default
    # settings, like <venv>/share/jupyter/lab/settings/overrides.json, but kept in the
    # temporary config folder (<config>/labconfig/default_setting_overrides.json) instead
    # of being written into the shared venv.
    _write_json(dirs["config"] / "labconfig" / "default_setting_overrides.json", {
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false", "checkForUpdates": False,
        },
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    })

    token = secrets.token_hex(24)
    port = _free_port()
    env = dict(os.environ)
    env.update(
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        PYTHONUNBUFFERED="1",
    )
    # The kernel is this interpreter (ipykernel's native spec); make sure it imports this
    # checkout's smallgrad and widgets, whatever the notebook folder is.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    argv = [
        sys.executable, "-m", "jupyterlab" if app == "lab" else "notebook",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={dirs['notebooks']}",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "getuid") and os.getuid() == 0:
        argv.append("--allow-root")

    log_path = base / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=dirs["notebooks"], start_new_session=True)
    server = Lab(url=f"http://127.0.0.1:{port}/", token=token, notebook_dir=dirs["notebooks"],
                 log_path=log_path, process=process, app=app)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            server.check_alive()
            try:
                server.api("api/status", timeout=2)
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"Jupyter {app} did not answer on {server.url} within "
                                f"{SERVER_START_TIMEOUT} s. Server log:\n{server.log_tail()}",
                                pytrace=False)
                time.sleep(0.2)  # no page exists yet: sleeping holds no request
    except BaseException:
        _stop(server)
        raise
    return server


def _serve(tmp_path_factory, app: str):
    server = _start_jupyter(tmp_path_factory, app)
    try:
        yield server
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def lab(tmp_path_factory) -> Lab:
    yield from _serve(tmp_path_factory, "lab")


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory) -> Lab:
    """Notebook 7 (the `notebook` package), set up like `lab`."""
    yield from _serve(tmp_path_factory, "notebook")


@pytest.fixture
def marimo_app(tmp_path):
    """Start `marimo run` on a notebook file (on 127.0.0.1, no token, a temporary HOME and
    XDG folders: marimo writes to ~/.config, ~/.cache and ~/.local/state); give its URL."""
    require_browser_tools()
    started: list[subprocess.Popen] = []

    def start(source: str) -> str:
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        app = tmp_path / "app.py"
        app.write_text(source)
        port = _free_port()
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".state"),
                   XDG_DATA_HOME=str(home / ".data"), PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        log = open(tmp_path / "marimo.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [sys.executable, "-m", "marimo", "run", str(app), "--host", "127.0.0.1",
             "--port", str(port), "--headless", "--no-token", "--no-sandbox"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True)
        started.append(process)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail("marimo exited: " + (tmp_path / "marimo.log").read_text()[-2000:],
                            pytrace=False)
            try:
                urllib.request.urlopen(url, timeout=2).close()
                return url
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    pytest.fail(f"marimo did not answer on {url}", pytrace=False)
                time.sleep(0.2)

    yield start
    for process in started:
        _end(process)


def _stop(server: Lab) -> None:
    """Stop the server by its own handle: ask it (it shuts its kernels down), then insist."""
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(urllib.error.URLError, OSError):
            server.api("api/shutdown", method="POST", timeout=5)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    _end(process)


def _end(process: subprocess.Popen) -> None:
    """Terminate a server we started (by its own handle), then kill what it left behind:
    it ran in its own session (start_new_session), so its kernels are in its group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory, guard):
    chromium = require_browser_tools()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000}, device_scale_factor=1,
        )
        context.set_default_timeout(UI_TIMEOUT_MS)

        def route_guard(route):
            url = route.request.url
            if is_local(url):
                route.continue_()
            else:
                guard.blocked.append(url)
                route.abort("blockedbyclient")

        def websocket_guard(ws):
            if is_local(ws.url):
                ws.connect_to_server()
            else:
                guard.blocked.append(ws.url)
                ws.close()

        context.route("**/*", route_guard)
        context.route_web_socket(lambda url: True, websocket_guard)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context, guard, lab):
    """A new tab; afterwards, assert that nothing left the machine and no dialog opened."""
    yield from _tab(browser_context, guard, lab)


@pytest.fixture
def tab(browser_context, guard):
    """A new tab without JupyterLab (Notebook 7, marimo, a file://): the same checks."""
    yield from _tab(browser_context, guard, None)


def _tab(browser_context, guard, lab):
    guard.reset()
    tab = browser_context.new_page()

    def on_dialog(dialog):
        guard.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("pageerror", lambda error: print(f"[page error] {error}"))
    yield tab
    tab.close()
    for session in lab.sessions() if lab else ():  # free the shared cores for the next test
        lab.shutdown_kernel(session.get("path", ""))
    assert guard.blocked == [], f"requests that tried to leave 127.0.0.1: {guard.blocked}"
    assert guard.dialogs == [], f"dialogs opened by the page: {guard.dialogs}"
