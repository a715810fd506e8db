"""BackwardStepper: step through backward propagation one edge at a time.

It drives the very generator that `backward()` runs (smallgrad.autograd.backward_steps),
pulling from it only when the student moves forward onto a step not seen yet: so a
hook runs when the student reaches it, and what it prints shows up then. Stepping back
shows a recorded state; it never runs anything again. Going forward again over steps
already seen replays the records.

One step = one edge a gradient flows on (an EdgeStep), together with the engine's
finer records that belong to it: before the edge, the hooks, the call and the freeing
of the node the edge leaves; after it, when it was that node's last edge, the
AccumulateGrad work of the leaves it made ready (their hooks, then .grad filling in).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from smallgrad import Tensor, autograd
from smallgrad.autograd import inspect as graph_inspect

from . import explain, model
from .messages import in_own_language, text
from .quizzing import Quizzer
from .stepper_page import StepperPage
from .viewer import Viewer


@dataclass
class Pulled:
    """One engine record, with what was printed while it was made."""

    record: object
    printed: str = ""
    retained: Tensor | None = None  # for retain_grad: the tensor's .grad just after
    before: Tensor | None = None  # for an AccumulateStep: the leaf's .grad before it ...
    after: Tensor | None = None  # ... and after it (copies: a second grad adds in place)


@dataclass
class Step:
    """The records of one step; `edge` is its EdgeStep (None only for a graph with none)."""

    records: list[Pulled] = field(default_factory=list)
    edge: object = None
    error: str = ""


class BackwardStepper(Viewer):
    """Step through `root.backward(gradient)` edge by edge, in a widget or from Python.

    Python: step(), back(), reset(), run_to_end(), go(k); position, n_steps, current
    (the EdgeStep), svg, card, details, log, view, selected; save_html(path). After the last
    step the graph is exactly as after `root.backward(gradient, retain_graph=retain_graph)`.
    `widget` is the page's widget (front.py); showing the stepper shows it.

    large=True: projector mode (everything bigger, the card beside the graph when wide).
    quiz=True: before an edge's gradient is first shown, ask (widgets/quiz.py); then
    `question` is the prompt and `answer(text)` checks it (or the page's box does).
    lang="zh": this stepper speaks Chinese (None: the language of widgets.set_language).
    """

    @in_own_language
    def __init__(self, root: Tensor, gradient: Tensor | None = None,
                 names: dict[str, Tensor] | None = None, retain_graph: bool | None = None,
                 large: bool = False, quiz: bool | object = False, *,
                 lang: str | None = None) -> None:
        super().__init__(names, large, lang)
        self.root = root
        self._engine = autograd.backward_steps(root, gradient, retain_graph)  # bad args raise now
        # both views are modelled now, before backward frees anything; drawn when shown
        self._graphs = {view: model.build(root, self._names, view, saved=True)
                        for view in ("forward", "autograd")}
        full = self._graphs["forward"]
        self._cards = explain.Cards(full)  # the card and log text (widgets/explain.py)
        self._root_label = self._cards.root
        self._parts, self._labels = self._cards.parts, self._cards.labels
        # each leaf's .grad as the stepper last saw it (copies), from before backward on
        self._initial = {acc: _snapshot(graph_inspect.grad(acc.variable)) for acc in full.rank
                         if isinstance(acc, autograd.AccumulateGrad)}
        self._latest = dict(self._initial)
        self._steps: list[Step] = []
        self._n_steps = full.n_grad_edges or 1  # an edgeless graph still has one step
        self._exhausted = False
        self._edges_left = 0  # edges still to come from the node that ran last
        self._readied = 0  # leaves it made ready: their AccumulateGrad runs after its edges
        self._position = 0  # (selected "": the variable the grad flows to is shown)
        self._quiz = Quizzer(self._quiz_model(quiz)) if quiz else None
        self._page = StepperPage(self)
        self.widget = self._page.widget
        self._redraw()

    # --- the Python API ------------------------------------------------------------------
    @property
    def position(self) -> int:
        """How many steps have been taken (0: before backward)."""
        return self._position

    @property
    def n_steps(self) -> int:
        """The number of steps: the edges a gradient flows on."""
        return self._n_steps

    @property
    def current(self):
        """The EdgeStep of the current step (None before the first)."""
        return self._steps[self._position - 1].edge if self._position else None

    @property
    def records(self) -> list:
        """All engine records of the current step, in order."""
        return [p.record for p in self._steps[self._position - 1].records] if self._position else []

    def step(self) -> None:
        """One edge forward (the engine runs now if this step is new)."""
        self.go(self._position + 1)

    def back(self) -> None:
        """One edge back: shows the earlier state; nothing runs again."""
        self.go(self._position - 1)

    def reset(self) -> None:
        """Back to before backward (only the view; hooks never run twice)."""
        self.go(0)

    def run_to_end(self) -> None:
        self.go(self._n_steps)

    @in_own_language
    def go(self, position: int) -> None:
        """Show the state after `position` steps, pulling new steps from the engine."""
        position = max(0, min(int(position), self._n_steps))
        if self._quiz and position > self._position:  # moving on: an open question is skipped
            self._quiz.reveal(self._position)
        error = None
        while len(self._steps) < position and not self._exhausted:
            try:
                self._pull_step()
            except Exception as problem:  # a hook or a backward raised: show it, then raise
                error = problem
                break
        self._position = min(position, len(self._steps))
        if self._quiz:
            self._quiz.arrive(self._position, self.current)
        self._redraw()
        if error is not None:
            raise error

    # view and selected come from viewer.py; these two say what they mean here
    def _can_pick(self, node_id: str) -> bool:
        return not node_id or node_id in self._graphs["forward"].nodes  # "": the grad's target

    def _redraw(self) -> None:
        self._page.refresh()

    @property
    def buttons(self) -> list:
        """The page's stepping buttons (⏮ ◀ ▶ ⏭): .description, .tooltip, .disabled, .click()."""
        return self._page.buttons

    @property
    @in_own_language
    def question(self) -> str | None:
        """Quiz mode: the question waiting at this step, if any."""
        asked = self._quiz.waiting(self._position) if self._quiz else None
        return asked.prompt if asked else None

    @in_own_language
    def answer(self, text: str):
        """Quiz mode: check an answer to the waiting question (a Verdict: .right, .message),
        then show the gradient."""
        if not self._quiz:
            raise RuntimeError("this stepper has no quiz: BackwardStepper(root, quiz=True)")
        verdict = self._quiz.answer(self._position, self.current, text)
        self._redraw()
        return verdict

    @in_own_language
    def reveal(self) -> None:
        """Quiz mode: show the gradient without answering."""
        if self._quiz:
            self._quiz.reveal(self._position)
            self._redraw()

    @in_own_language
    def save_html(self, path: str | Path) -> Path:
        """Write one self-contained HTML page that steps through every step offline (from
        file://, no kernel, no network). Runs backward to the end now to record the steps."""
        return self._page.save_html(path)

    @property
    def svg(self) -> str:
        """The SVG as it looks now: class `active` on the current edge, `done` on earlier ones."""
        return self._page.svg()

    @property
    @in_own_language
    def card(self) -> str:
        if self._quiz and self._quiz.waiting(self._position):
            return self._card_text().split("\n")[0] + "\n" + "\n".join(
                self._quiz.card_lines(self._position))
        lines = self._quiz.card_lines(self._position) if self._quiz else []
        return "\n".join([self._card_text(), *lines])

    @property
    @in_own_language
    def details(self) -> str:
        return self._details_text(self._selected())

    @property
    @in_own_language
    def log(self) -> list[str]:
        """What happened so far, one line per engine record (plus what hooks printed)."""
        lines = []
        for k, step in enumerate(self._steps[:self._shown()], start=1):
            lines.extend(self._log_lines(k, step))
        return lines

    def __repr__(self) -> str:
        return f"BackwardStepper({self._root_label}): step {self._position}/{self._n_steps}"

    # --- pulling from the engine ---------------------------------------------------------
    def _pull(self) -> Pulled | None:
        """Take one record from the engine; whatever runs (a hook) runs now."""
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                record = next(self._engine)
        except StopIteration:
            self._exhausted = True
            return None
        except Exception as problem:
            self._exhausted = True
            self._fail(f"{type(problem).__name__}: {problem}", printed.getvalue())
            raise
        pulled = Pulled(record, printed.getvalue())
        if isinstance(record, autograd.HookStep) and record.hook == "retain_grad":
            target = graph_inspect.retain_grad_target(record.node, record.slot)
            pulled.retained = _snapshot(graph_inspect.grad(target)) if target is not None else None
        elif isinstance(record, autograd.AccumulateStep):  # the engine keeps no copies: we do
            pulled.before = self._latest.get(record.node)
            pulled.after = self._latest[record.node] = _snapshot(
                graph_inspect.grad(record.variable))
        return pulled

    def _pull_step(self) -> None:
        step = Step()
        self._steps.append(step)
        while step.edge is None:  # the records up to this step's edge
            pulled = self._pull()
            if pulled is None:
                break
            step.records.append(pulled)
            record = pulled.record
            if isinstance(record, autograd.CallStep):
                self._edges_left = sum(1 for (nxt, _), g in zip(record.node.next_functions,
                                                                 record.grad_inputs)
                                       if nxt is not None and g is not None)
                self._readied = 0
            elif isinstance(record, autograd.EdgeStep):
                step.edge = record
        if step.edge is None:  # the engine is done: no more edges after all
            self._finish(step)
            return
        self._edges_left -= 1
        if step.edge.ready and isinstance(step.edge.dst, autograd.AccumulateGrad):
            self._readied += 1
        if self._edges_left == 0:  # the node's last edge: its ready leaves accumulate now
            while self._readied:
                pulled = self._pull()
                if pulled is None:
                    break
                step.records.append(pulled)
                self._readied -= isinstance(pulled.record, autograd.AccumulateStep)
        if len(self._steps) == self._n_steps:  # the last step: let the engine finish
            while (pulled := self._pull()) is not None:
                step.records.append(pulled)

    def _finish(self, step: Step) -> None:
        """The engine ended without another edge: fold its last records into the last step."""
        if not self._steps[:-1]:  # a graph with no edges: everything is one step
            self._n_steps = 1
            return
        self._steps.pop()
        self._steps[-1].records.extend(step.records)
        self._n_steps = len(self._steps)

    def _fail(self, message: str, printed: str) -> None:
        step = self._steps[-1] if self._steps else None
        if step is None:
            step = Step()
            self._steps.append(step)
        step.error = message + (text("stepper.it_printed", printed=printed.strip())
                                if printed.strip() else "")
        self._n_steps = len(self._steps)

    # --- the state at the current position, from the records -----------------------------
    def _shown(self) -> int:
        """How many steps the log, the details and .grad show: in quiz mode, not the one
        whose question is still open (its records would give the answer away)."""
        return self._position - 1 if self.question else self._position

    def _state(self) -> dict:
        grads = dict(self._initial)
        retained, arriving, hooks, freed, filled = {}, {}, {}, set(), set()
        for step in self._steps[:self._shown()]:
            for pulled in step.records:
                r = pulled.record
                if isinstance(r, autograd.AccumulateStep):
                    grads[r.node] = pulled.after
                    filled.add(r.node)
                elif isinstance(r, autograd.HookStep):
                    hooks.setdefault((r.node, r.slot), []).append(pulled)
                    if r.hook == "retain_grad":
                        retained[(r.node, r.slot)] = pulled.retained
                elif isinstance(r, autograd.EdgeStep):
                    arriving[(r.dst, r.dst_slot)] = r.total
                elif isinstance(r, autograd.RootStep):
                    arriving[(r.node, r.slot)] = r.grad
                elif isinstance(r, autograd.FreeStep):
                    freed.add(r.node)
        return {"grads": grads, "retained": retained, "arriving": arriving, "hooks": hooks,
                "freed": freed, "filled": filled}

    def _marks(self, graph: model.Graph) -> dict[str, list[str]]:
        """class -> ids of the drawn graph that have it now."""
        full = self._graphs["forward"]
        state = self._state()
        done = [full.edge_id(s.edge.src, s.edge.index)
                for s in self._steps[:max(self._position - 1, 0)] if s.edge is not None]
        edge = self.current
        marks: dict[str, list[str]] = {"done": done, "active": [], "running": [], "target": [],
                                       "filled": [], "freed": [], "gone": []}
        if edge is not None:
            marks["active"] = [full.edge_id(edge.src, edge.index)]
            marks["running"] = [f"n{full.rank[edge.src]}"]
            # the variable the grad flows to (forward), or the node it flows to (autograd)
            marks["target"] = [full.var_id(edge.dst, edge.dst_slot) if graph.view == "forward"
                               else f"n{full.rank[edge.dst]}"]
        by_rank = lambda nodes: sorted(nodes, key=full.rank.__getitem__)  # noqa: E731
        marks["filled"] = [f"n{full.rank[acc]}" for acc in by_rank(state["filled"])]
        marks["filled"] += [full.var_id(node, slot) for node, slot in state["retained"]]
        for node in by_rank(state["freed"]):
            r = full.rank[node]
            marks["freed"].append(f"n{r}")
            marks["gone"] += [nid for nid in graph.nodes if nid.startswith(f"s{r}_")]
        present = set(graph.nodes) | {e.id for e in graph.edges}
        return {cls: [i for i in ids if i in present] for cls, ids in marks.items()}

    # --- text ------------------------------------------------------------------------------
    def _card_text(self) -> str:
        return self._cards.card(self._steps, self._position, self._n_steps)

    def _log_lines(self, k: int, step: Step) -> list[str]:
        lines = [f"[{k}] {self._cards.record_text(p)}" for p in step.records]
        if step.error:
            lines.append(text("log.error", k=k, error=step.error))
        return lines

    def _quiz_model(self, quiz: bool | object):
        """quiz=True: widgets/quiz.py, told this graph's names, its root and the grad that
        came into each edge's node (for its hints); or any object with question/check."""
        if quiz is not True:
            if not (hasattr(quiz, "question") and hasattr(quiz, "check")):
                raise TypeError("quiz must be True or an object with question(step) and "
                                f"check(step, text), not {type(quiz).__name__}")
            return quiz
        from . import quiz as builtin

        names, root = self._names, self._root_label

        def taken() -> list[Step]:  # the steps seen so far, when the answer comes
            return self._steps[:self._position]

        class Asks:
            @staticmethod
            def question(edge):
                return builtin.question(edge, names=names, root=root)

            @staticmethod
            def check(edge, text):
                return builtin.check(edge, text, upstream=explain.upstream(taken(), edge.src),
                                     names=names)

        return Asks

    def _selected(self) -> str:
        if self._pick:
            return self._pick
        edge = self.current
        full = self._graphs["forward"]
        return full.var_id(edge.dst, edge.dst_slot) if edge is not None else full.root

    def _details_text(self, nid: str) -> str:
        full = self._graphs["forward"]
        gnode = full.nodes[nid]
        state = self._state()
        if gnode.kind in ("op", "function"):
            return explain.details(gnode, freed=gnode.node in state["freed"])
        key = (gnode.node, gnode.slot) if gnode.node is not None else None
        hooks = []
        registered = (graph_inspect.hooks(gnode.node, gnode.slot)
                      if gnode.kind in ("leaf", "result") else [])
        ran = state["hooks"].get(key, []) if key else []
        for pulled in ran:
            r = pulled.record
            line = text("details.hook_ran", name=explain.hook_name(r.hook),
                        result=explain.hook_result(r.grad_in, r.grad_out))
            if pulled.printed:
                line += text("details.hook_printed", printed=repr(pulled.printed.strip()))
            hooks.append(line)
        for hook in registered[len([p for p in ran if p.record.hook != "retain_grad"]):]:
            hooks.append(text("details.hook_registered", name=explain.hook_name(hook)))
        if gnode.kind == "leaf":
            grad = state["grads"].get(gnode.node)
            waiting = None if gnode.node in state["filled"] else state["arriving"].get(key)
            return explain.details(gnode, grad=grad, arriving=waiting, hooks=hooks)
        if gnode.kind == "result":
            grad = state["retained"].get(key)
            return explain.details(gnode, grad=grad, arriving=state["arriving"].get(key),
                                   hooks=hooks)
        return explain.details(gnode)



def _snapshot(grad: Tensor | None) -> Tensor | None:
    """A copy of a .grad as it is now (a later backward may add into it in place)."""
    return None if grad is None else grad.detach().clone()
