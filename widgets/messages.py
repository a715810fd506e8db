"""Every sentence the stepper's card and quiz say, one table per language.

A table maps a message id to a `str.format` template. To add a language, add a table
with the same ids to TABLES (an id it lacks falls back to English), then
`set_language("zh")` (or `lang="zh"` on one widget). Formulas are templates too: their
words need translating (those without words are shared: formulas.py). The zh table is
messages_zh.py.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator

from .formulas import FORMULAS
from .messages_zh import ZH

EN: dict[str, str] = {
    # --- numbers and shapes
    "shape.scalar": "scalar",
    # --- the card's frame
    "card.start": ("Before backward. {root}.backward() sends ∂{root}/∂{root} into {root}, "
                   "then the gradient flows back along {n} edge(s).\n"
                   "Press “next ▶” to follow it one edge at a time."),
    "card.step": "Step {k} of {n}",
    "card.edge": ": {inp} ← {op}   ({src} → {dst}, input {index})",
    "card.before": "Before this edge:",
    "card.then": "Then:",
    "card.accumulate_later_ready": ("AccumulateGrad({leaf}) adds this into {leaf}.grad once "
                                    "{src} has sent its other grads."),
    "card.accumulate_later_parts": ("AccumulateGrad({leaf}) adds this into {leaf}.grad once "
                                    "the other part(s) of ∂{root}/∂{leaf} have arrived."),
    "card.error": "Backward stopped with an error:",
    "card.part": " (part {k})",
    "card.edge_label": "∂{root}/∂{var}",
    "card.edge_label_part": "∂{root}/∂{var}, part {k}",
    "card.output_of": "output {slot} of {node}",
    # --- the chain rule
    "rule.chain": "{lhs} = {up} · ∂{out}/∂{inp}",
    "rule.elementwise": "(⊙ multiplies element by element: {op} works on each element alone)",
    "rule.no_formula": "{node} applied to {up} (a vector–Jacobian product)",
    "rule.shapes": "shapes: {up} {up_shape} → {lhs} {shape}",
    "rule.shapes_mm": "shapes: {left}·{right} → {result}   ({formula})",
    "rule.summed": "{expr}, summed over {dims}",
    "rule.dim": "dim {d} (size {size})",
    "rule.dim_plain": "dim {d}",
    "rule.dims": "dims {dims}",
    "rule.broadcast": ("broadcast: {inp} has shape {small} but {node} used it as {big}, so its "
                       "grad is summed over {dims}: {big} → {small}"),
    "rule.broadcast_part": "({index})",
    "rule.from": "(part {k}, from {node})",
    "rule.more": "… ({k} more)",
    "rule.other_input": "the other input",
    "rule.fan_in": ("{inp} is used more than once, so its gradient is the sum of the parts "
                    "that have arrived:"),
    "rule.so_far": "∂{root}/∂{inp} so far",
    "rule.custom": "{cls}.backward(ctx, grad_output), with grad_output = {up}",
    "rule.custom_returned": ("{cls}.backward(ctx, grad_output) returned this for {inp} "
                             "(at index {pos} of what it returned): your own backward ran"),
    # local derivatives ∂y/∂x of elementwise ops: the formulas (formulas.py), then words
    **FORMULAS,
    "local.clamp": "[{x} inside the clamp range]",
    "local.where_a": "[condition]",
    "local.where_b": "[not condition]",
    "local.note_mask": "[…] is 1 where it holds, 0 elsewhere",
    # whole vector–Jacobian products ({G}: the incoming grad's name)
    "vjp.mm_a": "{G} · {b}ᵀ",
    "vjp.mm_b": "{a}ᵀ · {G}",
    "vjp.mv_a": "{G} ⊗ {b}   (an outer product: {G} as a column times {b} as a row)",
    "vjp.mv_b": "{a}ᵀ · {G}",
    "vjp.dot": "{G} · {other}",
    "vjp.bmm_a": "{G} · {b}ᵀ   (for each matrix of the batch)",
    "vjp.bmm_b": "{a}ᵀ · {G}   (for each matrix of the batch)",
    "vjp.sum": "{G}, copied to every element of {x}",
    "vjp.sum_dim": "{G}, copied along {dims} of {x}",
    "vjp.mean": "{G} / {n}, copied to every element of {x} ({n} elements)",
    "vjp.mean_dim": "{G} / {n}, copied along {dims} of {x}",
    "vjp.var": "{G} · 2·({x} − mean({x})) / (N − {correction})",
    "vjp.std": "{G} · ({x} − mean({x})) / ((N − {correction}) · std({x}))",
    "vjp.max": "{G} at the position of the {which} of {x} (shared if tied), 0 elsewhere",
    "vjp.max_dim": "{G} at the index of each {which} along dim {dim} of {x}, 0 elsewhere",
    "vjp.norm": "{G} · {x} / ‖{x}‖",
    "vjp.view": "{G} reshaped back to {shape}",
    "vjp.expand": "{G} summed over the dims expand copied along, back to {shape}",
    "vjp.transpose": "{G} transposed back (dims {d0} ↔ {d1})",
    "vjp.t": "({G})ᵀ",
    "vjp.permute": "{G}.permute({dims}), the inverse permutation",
    "vjp.cumsum": "{G} added up from the far end along dim {dim} (flip, cumsum, flip back)",
    "vjp.flip": "{G} flipped back along {dims}",
    "vjp.unsqueeze": "{G} with dim {dim} squeezed out again",
    "vjp.squeeze": "{G} with the size-1 dims put back: {shape}",
    "vjp.copy": "{G}   (a copy passes the grad on unchanged)",
    "vjp.cast": "{G}, cast back to {dtype}",
    "vjp.index": ("zeros of shape {shape} with {G} added at the positions {x}[…] picked "
                  "(a position picked twice gets both)"),
    "vjp.as_strided": "zeros of shape {shape} with {G} added where the view read {x}",
    "vjp.unindex": "{G}[…] at the same positions",
    "vjp.cat": "the slice of {G} that came from {x} (along dim {dim})",
    "vjp.stack": "{G}[{i}] along dim {dim}",
    "vjp.softmax": "y ⊙ ({G} − Σ({G} ⊙ y) over dim {dim}),  y = softmax({x})",
    "vjp.log_softmax": "{G} − softmax({x}) ⊙ Σ {G} over dim {dim}",
    "vjp.zero": "0   (the in-place op overwrote {x}: nothing of it is left)",
    "vjp.fill": "Σ {G}   (every element got this value)",
    "vjp.copy_dst": "0   (copy_ overwrote {x})",
    "vjp.copy_src": "{G}, summed to the shape of {x}",
    "vjp.scalar_add": "{G}   (adding a number inside a backward formula leaves the grad as it is)",
    "vjp.scalar_mul": "{G} · the number that a backward formula multiplied {x} by",
    "vjp.scalar_div": "{G} / the number that a backward formula divided {x} by",
    "vjp.double": ("the derivative of {op}'s backward formula: this node is part of a "
                   "gradient's own graph (create_graph=True)"),
    "vjp.sgn": "0   (sign(x) is flat wherever it is defined)",
    "vjp.masked_fill": "{G} where the mask is false, 0 where {x} was filled",
    "vjp.masked_fill_value": "Σ {G} over the filled positions",
    "vjp.masked_select": "zeros of shape {shape} with {G} put back where the mask is true",
    "vjp.masked_scatter": ("{G} where the mask is false (for {x}); {G} where it is true "
                           "(the source)"),
    "vjp.scatter": "{G} with 0 where scatter wrote (for {x}); {G} gathered there (the source)",
    "vjp.gather": "zeros of shape {shape} with {G} added at the gathered positions",
    "vjp.scatter_add": "{G} (for {x}); {G} gathered at the index (the source)",
    "vjp.unbind": "the grads of all the rows, stacked back along dim {dim} (zeros for a row "
                  "that got none)",
    # --- the records of a step
    "record.root": "start: ∂{root}/∂{root} = {value} enters {root}",
    "record.retain_grad": "retain_grad: {var}.grad = {value}",
    "record.hook": "hook {name} on {var} {result}",
    "record.call": "{node} ran: ∂{root}/∂{var} {shape} → a grad for each input",
    "record.free": "{node} freed its saved tensors",
    "record.edge": "{var} ← {op}: {value}",
    "record.edge_sum": " (sum so far: {value})",
    "record.accumulate": "AccumulateGrad: {var}.grad {before} → {after}",
    "record.printed": "\n    printed: {line}",
    "hook.unchanged": "saw {seen}, returned None (grad passed on unchanged)",
    "hook.replaced": "saw {seen}, returned {returned} (used instead)",
    # --- the details panel
    "details.grad_none": "None   (not computed yet)",
    "details.op": "{title}: an operator; backward runs its node {node}",
    "details.freed": "saved tensors  freed (it has run; retain_graph=True would keep them)",
    "details.saved": "saved tensors  {n} (kept for its backward)",
    "details.saved_none": "saved tensors  none",
    "details.saved_node": "a tensor saved by {node} for backward, shape {shape}",
    "details.leaf": "a leaf (made by you) that requires grad",
    "details.accumulate": ("a leaf (made by you) that requires grad; AccumulateGrad adds its "
                           "grad into .grad"),
    "details.result": "the result of an operation (not a leaf)",
    "details.const": "a tensor that needs no grad: no gradient flows to it",
    "details.none": "an input that needs no grad (None in next_functions)",
    "details.root": " — the root of backward",
    "details.title": "{name}: {what}",
    "details.shape": "shape          {shape}   dtype {dtype}",
    "details.is_leaf": "is_leaf        {value}",
    "details.requires_grad": "requires_grad  {value}",
    "details.grad_fn": "grad_fn        {value}",
    "details.not_kept": (".grad          None   (not kept: {name} is not a leaf; "
                         "{name}.retain_grad() would keep it)"),
    "details.grad": ".grad          {value}",
    "details.no_grad": ".grad          None   (needs no grad)",
    "details.arriving": "grad so far    {value}   (arrived in backward, summed)",
    "details.hook": "hook           {line}",
    # --- the quiz (predict, then reveal)
    "quiz.ask": ("What gradient flows from {src} into {inp}? (a number, or a small tensor "
                 "like [[1, 2], [3, 4]])"),
    "quiz.ask_sum": ("{inp} is used more than once. What is {grad} so far, once the "
                     "part from {src} has arrived? (a number, or a small tensor like "
                     "[[1, 2], [3, 4]])"),
    "quiz.named_grad": "∂{root}/∂{inp}",
    "quiz.its_grad": "its gradient",
    "quiz.right": "Right: {value}.",
    "quiz.wrong": "Not quite. {hint}",
    "quiz.output": "the output of {node}",
    "quiz.unparsable": ("Type a number like 2 or -0.5, or a tensor as nested lists like "
                        "[1, 2] or [[1, 2], [3, 4]] (commas between numbers)."),
    "quiz.hint_shape": "The gradient has the shape of the tensor it flows into: {shape}.",
    "quiz.hint_broadcast": ("{inp} was broadcast to {big} in {src}: its gradient is summed over "
                            "{dims} back to {small}."),
    "quiz.hint_fan_in": ("That is only this edge's part. {inp} is used more than once, so its "
                         "gradient is the sum of all parts that have arrived."),
    "quiz.hint_sign": "Check the sign: the right answer has the opposite sign.",
    "quiz.hint_upstream": ("That is the gradient arriving at {src}; multiply it by the local "
                           "derivative of {src} with respect to {inp} (the chain rule)."),
    "quiz.hint_local": ("That is the local derivative alone; multiply it by the gradient "
                        "arriving at {src} (the chain rule)."),
    "quiz.hint_generic": "Use the chain rule: the gradient arriving at {src}, times its local "
                         "derivative with respect to {inp}.",
    # --- the stepper's own lines (stepper.py)
    "stepper.it_printed": "\n(it printed: {printed})",
    "log.error": "[{k}] error: {error}",
    "details.hook_ran": "{name}: ran, {result}",
    "details.hook_printed": "; printed {printed}",
    "details.hook_registered": "{name}: registered, not run yet",
    "details.hook_registered_view": "{name} (registered)",
    # --- the quiz on the card (quizzing.py)
    "quiz.question": "Question: {prompt}",
    "quiz.pending": ("Answer it (stepper.answer(text), or the box below) to see the gradient; "
                     "“show me” reveals it."),
    "quiz.revealed": "(revealed without an answer)",
    "quiz.your_answer": "Your answer: {answer}  {mark} {message}",
    # --- the page: buttons, labels, tooltips (front.js shows them; stepper_page.py, graphview.py)
    "front.start": "⏮ start",
    "front.back": "◀ back",
    "front.next": "next ▶",
    "front.end": "end ⏭",
    "front.play": "▷ play",
    "front.stop": "❚❚ stop",
    "front.step_aria": "step",
    "front.view_aria": "view",
    "front.zoom_fit": "zoom: fit",
    "front.zoom_full": "zoom: 100%",
    "front.details_of": "details of",
    "front.details": "details",
    "front.log": "log",
    "front.answer_aria": "your answer",
    "front.check": "check",
    "front.show_me": "show me",
    "front.counter": "step {position}/{n_steps}",
    "front.nothing_yet": "(nothing has run yet)",
    "front.pick_current": "the variable the grad flows to",
    "front.saved_picture": "(a saved picture: run the notebook to step through it)",
    "front.log_heading": "log: what backward did so far (oldest first; hooks' printouts too)",
    "view.stepper_forward": "Operators and variables, as in the lessons",
    "view.stepper_autograd": "The nodes backward runs (next_functions)",
    "view.forward": "Operators (MUL, ADD, ...) and variables, as in the lessons",
    "view.autograd": "The nodes backward runs, with next_functions as edges",
    "view.saved": "The autograd view with the tensors each node saved for backward",
    "tip.root": "Backward, one edge at a time. Keys: → Space Enter next, ← back, Home, End",
    "tip.start": "Back to step 0, before backward (Home key). Shows it again; runs nothing again",
    "tip.back": ("Previous step (← key; Space or Enter once this button has the focus): "
                 "shows the earlier state; runs nothing again"),
    "tip.next": "Next step (→ key; Space or Enter): the gradient flows on the next edge",
    "tip.end": "Run to the end of backward (End key)",
    "tip.play": "Play: one step every 1.5 s; press again to stop",
    "tip.slider": "Go to any step (0: before backward)",
    "tip.counter": "Steps taken / edges a gradient flows on",
    "tip.zoom": "Picture size: fit the cell's width, or 100% (then scroll)",
    "tip.pick": "Whose details to show below; the chosen one is outlined in blue on the graph",
    "tip.pick_graph": "Whose details to show below; the chosen one is outlined in blue",
    "tip.card": "The chain rule for the edge the gradient flows on now",
    "tip.details": "What you could ask this tensor or operator now (.grad, grad_fn, ...)",
    "tip.details_graph": "What you could ask this tensor or operator (.grad, grad_fn, ...)",
    "tip.log": "Everything backward did so far, oldest first",
    "tip.quiz_input": "Your answer (Enter checks it)",
    "tip.quiz_check": "Check your answer, then see the gradient",
    "tip.quiz_reveal": "Show the gradient without answering",
    # --- the picture (render.py, model.py)
    "legend.graph": ("bold blue ellipse: a leaf that requires grad · plain ellipse: a result · "
                     "double ellipse: the root · dashed grey: needs no grad · box: an operator "
                     "(forward) or a backward node (autograd) · (hook): a hook is registered."),
    "legend.stepping": (" Stepping: thick vermillion = the edge the gradient flows on now, "
                        "blue = done, green outline = .grad filled in, dashed box = its saved "
                        "tensors are freed."),
    # the kind of a node, in the "details of" lists (the model's own words in English)
    "kind.leaf": "leaf",
    "kind.result": "result",
    "kind.const": "const",
    "kind.op": "op",
    "kind.function": "function",
    "kind.accumulate": "accumulate",
    "kind.none": "none",
    "kind.saved": "saved",
    "tip.kind_leaf": "leaf",
    "tip.kind_result": "result",
    "tip.kind_const": "needs no grad",
    "tip.kind_op": "operator",
    "tip.kind_function": "backward node",
    "tip.kind_accumulate": "AccumulateGrad of a leaf",
    "tip.kind_none": "needs no grad",
    "tip.kind_saved": "saved for backward",
    "tip.node": "{title} ({what}{root})",
    "tip.node_root": ", the root",
    "tip.shape": "shape {shape}",
    "tip.dtype": ", {dtype}",
    "graph.the_root": "the root",
    "graph.current_edge": "the current edge",
    "graph.saved_freed": "saved tensors:\nfreed",
    "graph.own_output": "its own output",
    "graph.saved": "saved: {name}\n{shape}",
    "graph.a_tensor": "a tensor",
    "graph.too_big": ("This graph has {total:,} nodes: too many to draw at once. Showing the "
                      "{shown} nearest to {what}; nodes marked (+k) have k neighbours not drawn."),
}

TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}
_language = "en"


def set_language(language: str) -> None:
    """Use this table from now on (e.g. "en")."""
    global _language
    if language not in TABLES:
        raise ValueError(f"no message table for {language!r}; there are: {sorted(TABLES)}")
    _language = language


def language() -> str:
    return _language


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Within the block, text() speaks `language` (None: the current one). A widget made
    with lang="zh" does its work inside speaking("zh"), whatever set_language said."""
    global _language
    if language is None:
        yield
        return
    previous = _language
    set_language(language)
    try:
        yield
    finally:
        _language = previous


def in_own_language(method: Callable) -> Callable:
    """Run a widget's method in the widget's own language (its `_lang`, or for __init__
    its keyword `lang`; None follows set_language). Every way into a widget that makes
    text goes through one of these."""
    @functools.wraps(method)
    def speaking_its_language(self, *args, **kwargs):
        language = kwargs.get("lang") if method.__name__ == "__init__" else self._lang
        with speaking(language):
            return method(self, *args, **kwargs)
    return speaking_its_language


def template(key: str) -> str:
    """The message `key` in the current language, its {fields} not filled in."""
    found = TABLES[_language].get(key)
    return EN[key] if found is None else found


def text(key: str, **fields: object) -> str:
    """The message `key` in the current language, with `fields` filled in."""
    return template(key).format(**fields)
