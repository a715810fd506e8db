"""The lesson site (`make site`, scripts/build-site.py) in headless Chromium, from file://.

- Every page opens with nothing asked of the network (the route guard aborts and records any
  request that is not to this machine), and no page names a URL outside the site.
- The index lists every lesson of every edition.
- The steppers of the stepping lesson (04, in each edition that has it) and of 05's hook
  example step in the page, with no kernel: each click moves the highlighted edge and the card,
  along the edges the same stepper takes in Python.
- Lesson 03 (the graph lesson: draw() pictures and a GraphView, but no stepper) shows its
  graphs and its maths (MathJax from the site's own copy).

The site is built into pytest's tmp folder; the repository is not touched.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

from .labkit import REPO, Stepper
from .test_stepper_in_jupyterlab import _code_cells, _lesson_cell, _python_active_edges

pytestmark = pytest.mark.browser

BUILD = REPO / "scripts" / "build-site.py"
EDITIONS = {"en": REPO / "lessons", "zh": REPO / "lessons" / "zh"}


def _builder():
    spec = importlib.util.spec_from_file_location("build_site", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, str(BUILD), str(out)], check=True, env=env,
                   capture_output=True, text=True, timeout=600)
    return out


def lesson_pages(site):
    return sorted(site.glob("*/[0-9][0-9]_*.html"))


def test_no_page_names_a_url_outside_the_site(site):
    builder = _builder()
    urls = builder.site_urls(site)
    assert len(urls) > len(lesson_pages(site)) >= 12  # the lessons, the index, the players
    leaving = {page: [u for u in found if builder.outside(u)] for page, found in urls.items()}
    assert {page: u for page, u in leaving.items() if u} == {}
    # and the check itself sees such URLs
    assert builder.outside("https://cdn.example/x.js") and builder.outside("//cdn.example/x")
    assert not builder.outside("../mathjax/MathJax.js")


def test_index_lists_every_lesson(tab, guard, site):
    tab.goto((site / "index.html").as_uri())
    links = tab.locator("li a")
    hrefs = [links.nth(k).get_attribute("href") for k in range(links.count())]
    expected = [f"{key}/{p.stem}.html" for key, folder in EDITIONS.items()
                for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))]
    assert hrefs == expected
    assert all((site / href).is_file() for href in hrefs)
    assert guard.blocked == []


def test_every_page_opens_offline(tab, guard, site):
    for page in [site / "index.html", *lesson_pages(site), *site.glob("*/steppers/*.html")]:
        tab.goto(page.as_uri(), wait_until="load")
    assert guard.blocked == [], f"requests that tried to leave the machine: {guard.blocked}"
    assert guard.dialogs == []


class EditionStepper(Stepper):
    """The page's stepper, read in its edition's words: the tests speak English (button
    labels, the counter, the card's first line) and this translates through the widgets'
    own message tables, so the zh site is checked in Chinese."""

    def __init__(self, tab, root, edition: str) -> None:
        super().__init__(tab, root)
        from widgets import messages

        self.words = messages.TABLES["zh" if edition == "zh" else "en"]
        self.english = messages.TABLES["en"]

    def _say(self, english: str) -> str:
        key = next((k for k, v in self.english.items()
                    if k.startswith("front.") and v == english), None)
        return self.words.get(key, english) if key else english

    def button(self, text: str):
        return super().button(self._say(text))

    def status(self) -> str:  # in English, so that "step k/N" can be read the same way
        shown = super().status()
        pattern = re.escape(self.words["front.counter"]).replace(
            r"\{position\}", r"(\d+)").replace(r"\{n_steps\}", r"(\d+)")
        found = re.fullmatch(pattern, shown)
        return f"step {found.group(1)}/{found.group(2)}" if found else shown

    def wait_status(self, position: int) -> None:
        counter = re.escape(self.words["front.counter"]).replace(
            r"\{position\}", str(position)).replace(r"\{n_steps\}", r"\d+")
        self.root.locator(".sg-counter", has_text=re.compile(rf"^{counter}$")).wait_for()

    def click(self, text: str, position: int) -> None:
        self.button(text).click()
        self.wait_status(position)
        first = (self.words["card.start"].split("{")[0] if position == 0
                 else self.words["card.step"].split("{n}")[0].format(k=position))
        self.card.filter(has_text=first).wait_for()


def _player(tab, site, lesson: str, k: int = 1, edition: str = "en") -> Stepper:
    tab.goto((site / edition / f"{lesson}.html").as_uri())
    frame_id = f"player-{lesson}-{k}"
    frame = tab.locator(f"iframe#{frame_id}")
    frame.scroll_into_view_if_needed()
    inside = tab.frame_locator(f"iframe#{frame_id}")
    stepper = EditionStepper(tab, inside.locator("#sg-widget"), edition)
    stepper.root.locator("svg g.edge").first.wait_for()
    return stepper


def _step_through(stepper: Stepper, steps: int) -> list[str]:
    """Click "next ▶" `steps` times from step 0; one new active edge and card per click."""
    if not stepper.button("⏮ start").is_disabled():
        stepper.button("⏮ start").click()
    stepper.wait_status(0)
    active, cards = stepper.step_forward(steps)
    assert len(set(active)) == steps, "each step highlights another edge"
    assert len(set(cards)) == steps, "each step shows another card"
    stepper.click("◀ back", steps - 1)
    return active


WITH_STEPPING_LESSON = [key for key, folder in EDITIONS.items()
                        if (folder / "04_stepping.ipynb").exists()]


@pytest.mark.parametrize("edition", WITH_STEPPING_LESSON)
def test_stepping_lesson_steps_without_a_kernel(tab, guard, site, edition):
    stepper = _player(tab, site, "04_stepping", edition=edition)
    total = int(re.search(r"/(\d+)$", stepper.status()).group(1))
    assert total >= 3
    active = _step_through(stepper, total)
    # the edges the page highlights are the ones the same stepper takes in Python
    lesson = json.loads((EDITIONS[edition] / "04_stepping.ipynb").read_text(encoding="utf-8"))
    expected, _ = _python_active_edges(_lesson_cell(_code_cells(lesson), "w * x", "+ b"))
    assert [re.sub(r"^sg\d+_", "", edge) for edge in active] == expected
    stepper.click("end ⏭", total)
    assert stepper.button("next ▶").is_disabled()
    height = tab.locator("iframe#player-04_stepping-1").evaluate("f => f.offsetHeight")
    assert height > 300, "the player's frame should grow to the player's height"
    # the second stepper of the lesson (a tensor used twice) is its own player
    fanout = _player(tab, site, "04_stepping", 2, edition=edition)
    _step_through(fanout, 2)
    assert guard.blocked == [], f"requests that tried to leave the machine: {guard.blocked}"


def test_hook_example_steps_without_a_kernel(tab, guard, site):
    stepper = _player(tab, site, "05_intermediate_grads")
    _step_through(stepper, 2)
    assert guard.blocked == []


def test_graph_lesson_shows_its_graphs_and_maths(tab, guard, site):
    tab.goto((site / "en" / "03_graph.html").as_uri())
    graphs = tab.locator(".jp-RenderedSVG img, .jp-RenderedHTML img")  # draw(), GraphView
    graphs.first.wait_for()
    assert graphs.count() >= 3
    assert graphs.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 50)")
    maths = tab.locator("span.MathJax")  # typeset by the site's own MathJax
    maths.first.wait_for()
    assert maths.count() > 5
    prose = "\n".join(tab.locator(".jp-MarkdownOutput").all_inner_texts())
    assert not re.search(r"\$[^$\n]*\\[a-z]+", prose), "TeX left untypeset"
    assert guard.blocked == []
