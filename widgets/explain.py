"""The words next to the picture: the chain-rule card, the details of a variable, numbers.

Plain text only (the widgets escape it for HTML), so tests and lessons can read it.
"""

from __future__ import annotations

import numpy as np

from smallgrad import Tensor

from .model import GNode


def value(t: Tensor | None) -> str:
    """Compact numbers for the card: 2 or [1., 2., 3.] (long tensors are shortened)."""
    if t is None:
        return "None"
    data = t._data
    if data.ndim == 0:
        return f"{data.item():.4g}"
    return np.array2string(data, precision=4, separator=", ", threshold=12, edgeitems=3,
                           suppress_small=True)


def shape(t: Tensor | None) -> str:
    return "?" if t is None else str(list(t.shape))


def grad_text(grad: Tensor | None) -> str:
    """`.grad` as the details panel shows it: None (nothing yet) never looks like zeros."""
    if grad is None:
        return "None   (not computed yet)"
    return repr(grad)


def hook_name(hook: object) -> str:
    if isinstance(hook, str):
        return hook
    return getattr(hook, "__name__", type(hook).__name__)


def hook_result(grad_in: Tensor, grad_out: Tensor) -> str:
    if grad_out is grad_in:
        return f"saw {value(grad_in)}, returned None (grad passed on unchanged)"
    return f"saw {value(grad_in)}, returned {value(grad_out)} (used instead)"


# --- the details panel ----------------------------------------------------------------------

def details(gnode: GNode, *, grad: Tensor | None = None, arriving: Tensor | None = None,
            hooks: list[str] | None = None, freed: bool = False) -> str:
    """What a student can ask a tensor (or an operator) about, one fact a line.

    `grad` is the .grad to show (as of the step the stepper is at); `arriving` the grad
    summed so far in backward (for a result); `hooks` one line per hook.
    """
    kind = gnode.kind
    title = gnode.label.split("\n")[0]
    lines: list[str] = []
    if kind in ("op", "function"):
        lines.append(f"{title}: an operator; backward runs its node {gnode.node.name()}")
        saved = len(getattr(gnode.node, "_saved", ()))
        if freed or getattr(gnode.node, "_freed", False):
            lines.append("saved tensors  freed (it has run; retain_graph=True would keep them)")
        elif saved:
            lines.append(f"saved tensors  {saved} (kept for its backward)")
        else:
            lines.append("saved tensors  none")
        return "\n".join(lines)
    if kind == "saved":
        return f"a tensor saved by {gnode.node.name()} for backward, shape {list(gnode.shape)}"
    leaf = kind in ("leaf", "accumulate", "const", "none")
    requires = kind not in ("const", "none")
    what = {"leaf": "a leaf (made by you) that requires grad",
            "accumulate": "a leaf (made by you) that requires grad; "
                          "AccumulateGrad adds its grad into .grad",
            "result": "the result of an operation (not a leaf)",
            "const": "a tensor that needs no grad: no gradient flows to it",
            "none": "an input that needs no grad (None in next_functions)"}[kind]
    name = gnode.name or title
    lines.append(f"{name}: {what}" + (" — the root of backward" if gnode.root else ""))
    if gnode.shape is not None:
        lines.append(f"shape          {list(gnode.shape)}   dtype {gnode.dtype}")
    lines.append(f"is_leaf        {leaf}")
    lines.append(f"requires_grad  {requires}")
    fn = "None" if leaf else f"<{gnode.node.name()}>"
    lines.append(f"grad_fn        {fn}")
    if kind == "result" and grad is None:
        lines.append(f".grad          None   (not kept: {name} is not a leaf; "
                     f"{name}.retain_grad() would keep it)")
    elif requires:
        lines.append(f".grad          {grad_text(grad)}")
    else:
        lines.append(".grad          None   (needs no grad)")
    if arriving is not None:
        lines.append(f"grad so far    {value(arriving)}   (arrived in backward, summed)")
    for line in hooks or ():
        lines.append(f"hook           {line}")
    return "\n".join(lines)


# --- the chain-rule card --------------------------------------------------------------------

def _other(labels: list[str], i: int) -> str:
    return labels[1 - i] if len(labels) == 2 else "the other input"


# node name -> the local derivative ∂out/∂(input i), written with the inputs' labels `a`
LOCAL = {
    "AddBackward0": lambda i, a, n: "1",
    "SubBackward0": lambda i, a, n: "1" if i == 0 else "−1",
    "RsubBackward1": lambda i, a, n: "−1",
    "MulBackward0": lambda i, a, n: _other(a, i),
    "DivBackward0": lambda i, a, n: f"1/{a[1]}" if i == 0 else f"−{a[0]}/{a[1]}²",
    "NegBackward0": lambda i, a, n: "−1",
    "ExpBackward0": lambda i, a, n: f"exp({a[0]})",
    "LogBackward0": lambda i, a, n: f"1/{a[0]}",
    "SqrtBackward0": lambda i, a, n: f"1/(2·sqrt({a[0]}))",
    "SinBackward0": lambda i, a, n: f"cos({a[0]})",
    "CosBackward0": lambda i, a, n: f"−sin({a[0]})",
    "TanhBackward0": lambda i, a, n: f"1 − tanh²({a[0]})",
    "SigmoidBackward0": lambda i, a, n: f"σ({a[0]})·(1 − σ({a[0]}))",
    "ReluBackward0": lambda i, a, n: f"({a[0]} > 0)",
    "AbsBackward0": lambda i, a, n: f"sign({a[0]})",
    "PowBackward0": lambda i, a, n: _power(a[0], getattr(n, "n", None)),
    "SumBackward0": lambda i, a, n: "1 (for every element)",
    "MeanBackward0": lambda i, a, n: f"1/{_numel(n, i)} (for every element)",
    "CloneBackward0": lambda i, a, n: "1",
}

# operators whose inputs are broadcast to a common shape: a grad is summed back down
ELEMENTWISE = {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0",
               "PowBackward1", "WhereBackward0", "ExpandBackward0"}


def _power(base: str, n: object) -> str:
    if n is None:
        return f"n·{base}^(n−1)"
    return f"{n:g}·{base}^{n - 1:g}" if isinstance(n, (int, float)) else f"n·{base}^(n−1)"


def _numel(node, i: int) -> str:
    meta = getattr(node, "_input_meta", ())
    return str(int(np.prod(meta[i][0]))) if i < len(meta) else "n"


def local_derivative(node, index: int, labels: list[str]) -> str | None:
    rule = LOCAL.get(node.name())
    if rule is None:
        return None
    try:
        return rule(index, labels, node)
    except (IndexError, TypeError, ValueError):
        return None


def broadcast_dims(small: tuple, big: tuple) -> list[int]:
    """The dims of `big` that broadcasting added to `small`: the grad is summed over them."""
    lead = len(big) - len(small)
    return list(range(lead)) + [lead + i for i, size in enumerate(small)
                                if size == 1 and big[lead + i] != 1]


def chain_rule(*, root: str, out: str, inp: str, part: str, node, index: int,
               labels: list[str], upstream: Tensor | None, grad: Tensor) -> list[str]:
    """∂z/∂w = ∂z/∂y · ∂y/∂w = 1 · x = [...], with shapes and any broadcast reduction."""
    lhs = f"∂{root}/∂{inp}{part}"
    up = f"∂{root}/∂{out}"
    local = local_derivative(node, index, labels)
    lines = [f"{lhs} = {up} · ∂{out}/∂{inp}"]
    if local is not None:
        lines.append(f"{' ' * len(lhs)} = {value(upstream)} · {local}")
    else:
        lines.append(f"{' ' * len(lhs)} = {node.name()} applied to {up} = {value(upstream)}"
                     " (a vector–Jacobian product)")
    lines.append(f"{' ' * len(lhs)} = {value(grad)}")
    lines.append(f"shapes: {up} {shape(upstream)} → {lhs} {shape(grad)}")
    if node.name() in ELEMENTWISE and upstream is not None and upstream.shape != grad.shape:
        dims = broadcast_dims(tuple(grad.shape), tuple(upstream.shape))
        label = "dim" if len(dims) == 1 else "dims"
        lines.append(f"broadcast: {inp} has shape {shape(grad)} but {node.name()} used it "
                     f"as {shape(upstream)}, so its grad is summed over {label} "
                     f"{', '.join(map(str, dims))}: {shape(upstream)} → {shape(grad)}")
    return lines
