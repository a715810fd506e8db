"""The one browser front end of GraphView and BackwardStepper: an anywidget.

Python (stepper.py, graphview.py) keeps the model and decides everything; this widget only
carries it to the page and the student's clicks back:

    setup   once: which controls to show, the node list for "details of", sizes
    picture the laid-out picture: {"layout": its name, "svg": ..., "tips": what hovering a
            node says (name, shape)}; changes only with a new layout
    state   the small state of one step: marks (edge and node ids), card, details, log tail

The page asks with custom messages ({"type": "go", "position": 3, "seq": 7}, "view",
"pick", "answer", "reveal"); Python answers by setting `state` (with the same seq), and
`picture` in the same message when the layout changed (hold_sync). The page
keeps every state it has seen, so going back and forward again needs no answer to show.

front.js and front.css are shipped as package data and sent as strings: no build step, no
CDN. Works with ipywidgets 7.7+ and 8, in JupyterLab, Notebook 7, marimo (mo.ui.anywidget),
VS Code and Colab (anywidget's own loaders).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import anywidget
import traitlets

from . import messages

HERE = Path(__file__).parent
ESM = (HERE / "front.js").read_text(encoding="utf-8")
CSS = (HERE / "front.css").read_text(encoding="utf-8")
VIEW_MIME = "application/vnd.jupyter.widget-view+json"


WORDS = ("start", "back", "next", "end", "play", "stop", "step_aria", "view_aria", "zoom_fit",
         "zoom_full", "details_of", "details", "log", "answer_aria", "check", "show_me",
         "counter", "nothing_yet")


def words() -> dict[str, str]:
    """The page's own words (buttons, labels), in the current language (messages.py);
    front.js fills in the counter's {position} and {n_steps}."""
    return {name: messages.template(f"front.{name}") for name in WORDS}


class Front(anywidget.AnyWidget):
    """The widget in the page. `handler(message)` answers its requests (in Python)."""

    _esm = ESM
    _css = CSS
    setup = traitlets.Dict().tag(sync=True)
    picture = traitlets.Dict().tag(sync=True)
    state = traitlets.Dict().tag(sync=True)

    def __init__(self, handler: Callable[[dict], None], fallback: Callable[[], dict],
                 text: Callable[[], str], **traits) -> None:
        super().__init__(**traits)
        self._handler, self._fallback, self._text = handler, fallback, text
        self.last_seq = 0  # the newest request the page sent: answers carry it back
        self.on_msg(self._on_message)

    def request(self, message: dict) -> None:
        """What a click in the page does: the same message, handled the same way (tests
        call this to press the widget's buttons without a browser)."""
        self._on_message(self, message, [])

    def show(self, state: dict, picture: dict) -> None:
        """Send one step, with its picture if that is new, in one message: the page never
        shows a new step on an old picture. `state["layout"]` names the picture it needs."""
        with self.hold_sync():
            if picture.get("layout") != self.picture.get("layout"):
                self.picture = picture
            self.state = {**state, "seq": self.last_seq}

    def _on_message(self, _widget, message, _buffers) -> None:
        if not isinstance(message, dict):
            return
        seq = message.get("seq")
        if isinstance(seq, int) and seq > self.last_seq:
            self.last_seq = seq
        # a hook's error is shown in the card and the log; a click must never raise
        with contextlib.suppress(Exception):
            self._handler(message)

    # --- what a notebook stores: the live widget, plus a picture for when there is none
    def __repr__(self) -> str:
        return self._text()

    def displayed(self, **kwargs) -> None:
        """ipywidgets 7 runs its on_displayed callbacks here (8 has none)."""
        handle = getattr(super(), "_handle_displayed", None)
        if handle is not None:
            handle(**kwargs)

    def bundle(self) -> dict:
        data = dict(self._fallback())
        data["text/plain"] = self._text()
        data[VIEW_MIME] = {"version_major": 2, "version_minor": 0, "model_id": self.model_id}
        return data

    def metadata(self) -> dict:
        """anywidget's display metadata: empty, except in Colab (its widget manager's URL)."""
        shown = super()._repr_mimebundle_()
        return shown[1] if isinstance(shown, tuple) and len(shown) == 2 else {}

    def output(self, **kwargs):
        """What displaying the widget shows: the bundle, with metadata where there is any."""
        self.displayed(**kwargs)
        metadata = self.metadata()
        return (self.bundle(), metadata) if metadata else self.bundle()

    def _repr_mimebundle_(self, **kwargs):  # ipywidgets 8 (and anywidget) display this
        return self.output(**kwargs)

    def _ipython_display_(self, **kwargs):  # ipywidgets 7 only ever calls this
        from IPython.display import display

        self.displayed(**kwargs)
        display(self.bundle(), raw=True, metadata=self.metadata() or None)
