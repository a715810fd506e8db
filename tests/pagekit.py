"""The page's buttons without a browser: `stepper.buttons` send what a click in the page
sends (front.js: go(k)); these helpers find them by name."""

from __future__ import annotations


def button(stepper, name: str):
    return next(b for b in stepper.buttons if b.name == name)


def disabled(stepper, name: str) -> bool:
    """As the page shows it: start/back at step 0, next/end at the end or with a question
    open (front.js decides the same from the state it is sent)."""
    state = stepper.widget.state
    pending = bool(state["quiz"] and state["quiz"]["pending"])
    shown = (state["position"] == 0 if name in ("start", "back")
             else state["position"] >= state["n_steps"] or pending)
    assert shown == button(stepper, name).disabled  # Python and the page agree
    return shown


def click(stepper, name: str) -> None:
    button(stepper, name).click()
