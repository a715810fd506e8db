"""BackwardStepper in the page: its pictures, the small state of each step, the clicks.

The stepper (stepper.py) is the model: steps pulled from the engine, the card, the details,
the log. This file turns the model at the current position into what front.js shows:

    a picture   laid out once per view by Graphviz (a big graph: once per window around
                the active edge, kept for going back); sent only when it changes
    a state     a few hundred bytes a step: the ids marked active, done, filled, ...,
                the value on the active edge's label, the card, the details, the log tail

and answers the page's requests ({"type": "go", "position": k}, "view", "pick", "answer",
"reveal") by moving the model, so a hook runs in Python when the page first reaches it.
"""

from __future__ import annotations

from pathlib import Path

from . import explain, front, model, render, static
from .messages import in_own_language, text

FULL_LAYOUT = 400  # up to this many nodes, one layout serves every step (the box scrolls)
WINDOW = render.MAX_DRAWN  # past FULL_LAYOUT: this many nodes around the active edge
AHEAD = WINDOW // 3  # of them, nodes where the gradient goes next
LOG_TAIL = 100  # log lines sent with each step
MAX_PICKS = 300

VIEWS = ("forward", "autograd")
TIPS = ("root", "start", "back", "next", "end", "play", "slider", "counter", "zoom", "pick",
        "card", "details", "log", "quiz_input", "quiz_check", "quiz_reveal")
BUTTONS = ("start", "back", "next", "end")


def views() -> list[tuple[str, str]]:
    """The view toggle: (view, its tooltip), in the current language (messages.py)."""
    return [(view, text(f"view.stepper_{view}")) for view in VIEWS]


def tooltips() -> dict[str, str]:
    return {name: text(f"tip.{name}") for name in TIPS}


class StepButton:
    """One of the page's stepping buttons, for Python: its label, its tooltip, whether the
    page shows it disabled, and click(), which sends what a click in the page sends."""

    def __init__(self, page: StepperPage, name: str) -> None:
        self._page, self.name = page, name
        self.description, self.tooltip = text(f"front.{name}"), text(f"tip.{name}")

    def _target(self) -> int:
        s = self._page.stepper
        return {"start": 0, "back": s.position - 1, "next": s.position + 1,
                "end": s.n_steps}[self.name]

    @property
    def disabled(self) -> bool:
        s = self._page.stepper
        if self.name in ("start", "back"):
            return s.position == 0
        return s.position >= s.n_steps or bool(s.question)

    def click(self) -> None:
        widget = self._page.widget
        widget.request({"type": "go", "position": self._target(), "seq": widget.last_seq + 1})

    def __repr__(self) -> str:
        return f"<button {self.description!r}>"


class StepperPage:
    """The page's view of one BackwardStepper (`stepper`)."""

    def __init__(self, stepper) -> None:
        self.stepper = stepper
        self._lang = stepper._lang  # every request from the page is answered in it
        self.pictures: dict[str, tuple[model.Graph, dict]] = {}  # layout name -> (drawn, picture)
        self.shown = ""  # the layout the current step is drawn on
        self.widget = front.Front(self.handle, fallback=self.fallback,
                                  text=lambda: repr(stepper), setup=self.setup())
        self.buttons = [StepButton(self, name) for name in BUTTONS]

    def setup(self, **changes) -> dict:
        s = self.stepper
        return {"kind": "stepper", "large": s.large, "prefix": s._prefix, "views": views(),
                "tooltips": tooltips(), "legend": render.legend(), "words": front.words(),
                "log_heading": text("front.log_heading"), "interval": 1500, **changes}

    # --- pictures ------------------------------------------------------------------------
    def layout(self) -> tuple[model.Graph, dict]:
        """The drawn graph and picture for the current view and step (laid out once)."""
        s = self.stepper
        full = s._graphs[s._view]
        if len(full.nodes) <= FULL_LAYOUT:
            return self._picture(f"{s._view}:all", full)
        edge = s.current
        eid = full.edge_id(edge.src, edge.index) if edge is not None else None
        kept = self.pictures.get(self.shown)
        if kept is not None and self.shown.startswith(s._view + ":") and _inside(kept[0], eid):
            return kept
        if eid is None:
            centers, what = [full.root], text("graph.the_root")
        else:
            ends = next([e.src, e.dst] for e in full.edges if e.id == eid)
            centers, what = ends + _ahead(full, ends), text("graph.current_edge")
        drawn = model.neighbourhood(full, centers, WINDOW, what)
        return self._picture(f"{s._view}:{eid or 'root'}", drawn)

    def _picture(self, key: str, drawn: model.Graph) -> tuple[model.Graph, dict]:
        if key not in self.pictures:
            s = self.stepper
            picture = render.layout(drawn, s._prefix, key, large=s.large, edge_labels=s._labels)
            picture["picks"] = self.picks()
            self.pictures[key] = (drawn, picture)
        self.shown = key
        return self.pictures[key]

    def picks(self) -> list[tuple[str, str]]:
        """The "details of" list: every variable (only named ones and leaves, for a big graph)."""
        full = self.stepper._graphs["forward"]
        kind = lambda g: text(f"kind.{g.kind}") if g.kind in render.KINDS else g.kind  # noqa: E731
        variables = [(f"{g.label.split(chr(10))[0]} ({kind(g)})", g.id)
                     for g in full.nodes.values() if g.kind != "op"]
        if len(variables) > MAX_PICKS:
            variables = [v for v in variables if full.nodes[v[1]].name
                         or full.nodes[v[1]].kind == "leaf"][:MAX_PICKS]
        return [(text("front.pick_current"), "")] + variables

    # --- one step --------------------------------------------------------------------------
    def state(self) -> dict:
        """What the page needs to show the current step on its picture."""
        s = self.stepper
        drawn, picture = self.layout()
        marks = s._marks(drawn)
        marks["selected"] = [s._pick] if s._pick in drawn.nodes else []
        edge = s.current
        label, focus = None, drawn.root
        if edge is not None:
            eid = s._graphs["forward"].edge_id(edge.src, edge.index)
            if eid in s._labels and any(e.id == eid for e in drawn.edges):
                value = "?" if s.question else _short(edge.grad)
                label = {"id": eid, "text": f"{s._labels[eid]} = {value}"}
            focus = (marks["active"] or marks["target"] or [drawn.root])[0]
        notes = [n for n in (drawn.note, picture["message"]) if n]
        quiz = s._quiz.page_state(s._position) if s._quiz else None
        return {"position": s._position, "n_steps": s._n_steps, "view": s._view,
                "selected": s._pick, "layout": picture["layout"], "marks": marks,
                "label": label, "focus": focus, "grads": self.grads(drawn),
                "card": s.card, "details": s.details, "log": s.log[-LOG_TAIL:],
                "note": "\n".join(notes), "quiz": quiz}

    def grads(self, drawn: model.Graph) -> dict[str, str]:
        """The .grad of each drawn leaf (and retained result) at this step, for hovering."""
        s = self.stepper
        at = s._state()
        shown = {}
        for nid, gnode in drawn.nodes.items():
            if gnode.kind in ("leaf", "accumulate"):
                shown[nid] = explain.value(at["grads"].get(gnode.node))
            elif gnode.kind == "result" and (gnode.node, gnode.slot) in at["retained"]:
                shown[nid] = explain.value(at["retained"][(gnode.node, gnode.slot)])
        return shown

    def refresh(self) -> None:
        """Send the current step (and its picture, if new) to the page."""
        state = self.state()
        self.widget.show(state, self.pictures[state["layout"]][1])

    @in_own_language
    def handle(self, message: dict) -> None:
        """A request from the page. Whatever it does, the page gets the state back."""
        s = self.stepper
        kind = message.get("type")
        try:
            if kind == "go":
                s.go(int(message.get("position", s.position)))
            elif kind == "view" and message.get("view") in VIEWS:
                s.view = message["view"]
            elif kind == "pick":
                s.selected = str(message.get("id", ""))
            elif kind == "answer" and s.question:
                s.answer(str(message.get("text", "")))
            elif kind == "reveal" and s.question:
                s.reveal()
        finally:
            self.refresh()

    # --- the current step as text and pictures, for Python and for no kernel ---------------
    def svg(self) -> str:
        """The SVG at this step with the marks written in (class `active`, `done`, ...)."""
        state = self.state()
        svg = self.pictures[state["layout"]][1]["svg"]
        if not svg:
            return ""
        if state["label"]:
            svg = render.label_edge(svg, self.stepper._prefix, state["label"]["id"],
                                    state["label"]["text"])
        return render.mark_svg(svg, self.stepper._prefix, state["marks"])

    @in_own_language
    def fallback(self) -> dict:
        s = self.stepper
        note = self.state()["note"]
        return {"text/html": static.fallback_html(self.svg(), s.card, title=repr(s), note=note)}

    def save_html(self, path: str | Path) -> Path:
        """One offline page that steps through every step (all precomputed here)."""
        s = self.stepper
        here, view, pick = s._position, s._view, s._pick
        s._pick = ""
        if s._quiz:
            s._quiz.reveal_all()
        s.run_to_end()  # the engine runs now; hooks print here, once
        states, pictures = {}, {}
        try:
            for name in VIEWS:
                s._view = name
                for k in range(s._n_steps + 1):
                    s._position = k
                    state = {**self.state(), "quiz": None, "seq": 0}
                    states[f"{name}|{k}"] = state
                    picture = self.pictures[state["layout"]][1]
                    pictures[state["layout"]] = {**picture, "picks": []}
        finally:
            s._position, s._view, s._pick = here, view, pick
            self.refresh()
        first = states[f"{view}|{here}"]
        fallback = static.fallback_html("", first["card"], title=repr(s))
        page = static.page(title=f"Backward, edge by edge: {s._root_label}",
                           setup=self.setup(hide_picks=True), pictures=pictures, states=states,
                           start={"view": view, "position": here}, fallback=fallback)
        path = Path(path)
        path.write_text(page, encoding="utf-8")
        return path


def _short(grad) -> str:
    """A gradient small enough to ride on an edge's label: its value, or its shape."""
    if grad is None:
        return "None"
    return explain.value(grad) if grad.numel() <= 4 else explain.shape(grad)


def _inside(drawn: model.Graph, eid: str | None) -> bool:
    """Is the active edge (or, before backward, the root) well inside this window?"""
    if eid is None:
        return drawn.root in drawn.nodes
    edge = next((e for e in drawn.edges if e.id == eid), None)
    return edge is not None and edge.src not in drawn.hidden and edge.dst not in drawn.hidden


def _ahead(full: model.Graph, ends: list[str]) -> list[str]:
    """Nodes where the gradient flows after this edge (towards the leaves), nearest first:
    a window centred on them and the edge shows the next steps too."""
    forward = full.view == "forward"
    towards: dict[str, list[str]] = {}
    for e in full.edges:  # forward: op -> its inputs, result -> its op; autograd: as drawn
        if e.kind == "grad" or (forward and e.kind == "output"):
            a, b = (e.dst, e.src) if forward else (e.src, e.dst)
            towards.setdefault(a, []).append(b)
    seen: dict[str, None] = {}
    frontier = [ends[0] if forward else ends[1]]
    while frontier and len(seen) < AHEAD:
        frontier = [b for a in frontier for b in towards.get(a, ()) if b not in seen]
        seen.update(dict.fromkeys(frontier))
    return list(seen)[:AHEAD]
