"""The page's buttons without a browser: what front.js sends for each, and when it disables
them, so that tests can click a widget from Python through the same messages."""

from __future__ import annotations


def target(stepper, button: str) -> int:
    """The step a button asks for (front.js: go(k))."""
    return {"start": 0, "back": stepper.position - 1, "next": stepper.position + 1,
            "end": stepper.widget.state["n_steps"]}[button]


def disabled(stepper, button: str) -> bool:
    """front.js disables start/back at step 0, next/end at the end (or with a question open)."""
    state = stepper.widget.state
    if button in ("start", "back"):
        return state["position"] == 0
    pending = bool(state["quiz"] and state["quiz"]["pending"])
    return state["position"] >= state["n_steps"] or pending


def click(stepper, button: str) -> None:
    """A click on one of the stepper's buttons, as the page sends it."""
    stepper.widget.request({"type": "go", "position": target(stepper, button),
                            "seq": stepper.widget.last_seq + 1})
