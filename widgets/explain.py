"""The words next to the picture: the chain-rule card, the details of a variable, numbers.

Plain text only (the widgets escape it for HTML), so tests and lessons can read it.
Every sentence comes from the message table (messages.py). The card describes the step
the engine took: the result it shows is the engine's own grad; the formula and the
numbers put into it come from what the node saved in forward.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from smallgrad import Tensor, autograd, from_numpy
from smallgrad.autograd import inspect as graph_inspect

from . import model
from .messages import text
from .model import GNode

# --- numbers ---------------------------------------------------------------------------------

FULL_ROWS, FULL_COLUMNS = 4, 6  # a tensor up to this size prints whole; a larger one, a preview
PREVIEW_ROWS, PREVIEW_COLUMNS = 3, 3
SHORT = 32  # a value this long (on one line) may go into a formula


def _entries(values: np.ndarray, decimals: int) -> list[str]:
    """Numbers with one format, right-aligned: 1., -0.5, 0.25 (as PyTorch prints them)."""
    flat = [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]
    finite = [v for v in flat if np.isfinite(v)]
    if all(v.is_integer() and abs(v) < 1e6 for v in finite):
        texts = [f"{v:.0f}." if np.isfinite(v) else f"{v}" for v in flat]
    else:
        big = max((abs(v) for v in finite), default=0.0)
        tiny = min((abs(v) for v in finite if v), default=1.0)
        if big >= 1e5 or tiny < 10.0 ** -decimals:
            texts = [f"{v:.{decimals}e}" if np.isfinite(v) else f"{v}" for v in flat]
        else:
            texts = [f"{v:.{decimals}f}" if np.isfinite(v) else f"{v}" for v in flat]
            while all(t.endswith("0") and "." in t and not t.endswith(".0") for t in texts
                      if np.isfinite(float(t))):
                texts = [t[:-1] if np.isfinite(float(t)) else t for t in texts]
    width = max(map(len, texts), default=0)
    return [t.rjust(width) for t in texts]


def value(t: Tensor | None) -> str:
    """Numbers for the card: 2, [1., 2., 3.], or shape plus an aligned preview, e.g.
    [5, 4] tensor([[-1.21, -0.63, -0.20, …],
                   [ 0.31,  0.10, -0.22, …],
                   …]).  A long value has several lines: place it with `placed`."""
    if t is None:
        return "None"
    data = t.detach().numpy()
    if data.ndim == 0:
        v = float(data)
        rounded = f"{v:.4g}"  # but never 1 for 0.99998: a formula with it would look wrong
        return rounded if float(rounded) == v or not float(rounded).is_integer() else f"{v:.6g}"
    if data.ndim == 1 and data.size <= FULL_COLUMNS:
        return "[" + ", ".join(s.strip() for s in _entries(data, 4)) + "]"
    head = f"{shape(t)} tensor("
    if data.ndim == 1:
        shown = _entries(data[:PREVIEW_COLUMNS + 1], 2)
        return head + "[" + ", ".join(shown) + (", …" if data.size > len(shown) else "") + "])"
    if data.ndim == 2:
        rows, columns = data.shape
        whole = rows <= FULL_ROWS and columns <= FULL_COLUMNS
        keep_r = rows if whole else min(rows, PREVIEW_ROWS)
        keep_c = columns if whole else min(columns, PREVIEW_COLUMNS)
        block = np.array(_entries(data[:keep_r, :keep_c], 4 if whole else 2)).reshape(keep_r,
                                                                                        keep_c)
        more_c = ", …" if keep_c < columns else ""
        lines = ["[" + ", ".join(row) + more_c + "]" for row in block]
        if keep_r < rows:
            lines.append("…")
        pad = spaces(head + "[")
        return head + "[" + (",\n" + pad).join(lines) + "])"
    first = _entries(data.reshape(-1, data.shape[-1])[0, :PREVIEW_COLUMNS], 2)
    inner = "[" + ", ".join(first) + (", …" if data.shape[-1] > PREVIEW_COLUMNS else "") + "]"
    for _ in range(data.ndim - 1):
        inner = "[" + inner + ", …]"
    return head + inner + ")"


def short(t: Tensor | None) -> str | None:
    """The value if it fits inside a formula (one short line), else None."""
    if t is None:
        return None
    s = value(t)
    return s if "\n" not in s and len(s) <= SHORT else None


def shape(t: Tensor | tuple | None) -> str:
    """[5, 4], or "scalar" for a tensor with no dims."""
    if t is None:
        return "?"
    dims = tuple(t.shape) if isinstance(t, Tensor) else tuple(t)
    return text("shape.scalar") if not dims else str(list(dims))


def _compact(dims: tuple) -> str:
    return "[" + ",".join(map(str, dims)) + "]"


def spaces(s: str) -> str:
    """Blanks as wide as `s` in a monospace font: a Chinese character takes two columns
    (names={"权重": w} keeps the card's "=" signs aligned)."""
    return " " * sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def placed(prefix: str, block: str) -> list[str]:
    """`prefix` then `block`; the block's further lines keep its column."""
    first, *rest = block.split("\n")
    return [prefix + first] + [spaces(prefix) + line for line in rest]


def joined(*pieces: str) -> str:
    """The pieces one after another; a piece of several lines keeps the column it began at."""
    lines = [""]
    for piece in pieces:
        lines[-1:] = placed(lines[-1], piece)
    return "\n".join(lines)


def block_text(key: str, **fields: object) -> str:
    """Message `key` with `fields` that may be values of several lines (kept aligned)."""
    marks = {name: f"\x00{i}\x00" for i, name in enumerate(fields)}
    template = text(key, **marks)
    pieces, order = [], list(fields.values())
    for i, chunk in enumerate(template.split("\x00")):
        pieces.append(chunk if i % 2 == 0 else str(order[int(chunk)]))
    return joined(*pieces)


def grad_text(grad: Tensor | None) -> str:
    """`.grad` as the details panel shows it: None (nothing yet) never looks like zeros."""
    if grad is None:
        return text("details.grad_none")
    return repr(grad)


def hook_name(hook: object) -> str:
    if isinstance(hook, str):
        return hook
    return getattr(hook, "__name__", type(hook).__name__)


def hook_result(grad_in: Tensor, grad_out: Tensor) -> str:
    if grad_out is grad_in:
        return block_text("hook.unchanged", seen=value(grad_in))
    return block_text("hook.replaced", seen=value(grad_in), returned=value(grad_out))


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
        lines.append(text("details.op", title=title, node=gnode.node.name()))
        saved = graph_inspect.saved_tensors(gnode.node)
        if freed or saved is None:
            lines.append(text("details.freed"))
        elif saved:
            lines.append(text("details.saved", n=len(saved)))
        else:
            lines.append(text("details.saved_none"))
        return "\n".join(lines)
    if kind == "saved":
        return text("details.saved_node", node=gnode.node.name(), shape=shape(gnode.shape))
    leaf = kind in ("leaf", "accumulate", "const", "none")
    requires = kind not in ("const", "none")
    name = gnode.name or title
    what = text(f"details.{kind}") + (text("details.root") if gnode.root else "")
    lines.append(text("details.title", name=name, what=what))
    if gnode.shape is not None:
        lines.append(text("details.shape", shape=shape(gnode.shape), dtype=gnode.dtype))
    lines.append(text("details.is_leaf", value=leaf))
    lines.append(text("details.requires_grad", value=requires))
    lines.append(text("details.grad_fn", value="None" if leaf else f"<{gnode.node.name()}>"))
    if kind == "result" and grad is None:
        lines.append(text("details.not_kept", name=name))
    elif requires:
        lines.append(block_text("details.grad", value=grad_text(grad)))
    else:
        lines.append(text("details.no_grad"))
    if arriving is not None:
        lines.append(block_text("details.arriving", value=value(arriving)))
    for line in hooks or ():
        lines.append(text("details.hook", line=line))
    return "\n".join(lines)


# --- the rules: what each node's backward computes --------------------------------------------

@dataclass(frozen=True)
class Formula:
    """How a node turns the incoming grad G into the grad of one input.

    kind "local": grad = G ⊙ local (elementwise; then summed over broadcast dims);
    `local` is written with the inputs' names, `numbers` with their saved values, and
    `array` is the local derivative's values (to list a broadcast sum's parts).
    kind "vjp": grad = `text` (a vector–Jacobian product written with G's name).
    """

    kind: str
    text: str
    numbers: str | None = None
    array: np.ndarray | None = None
    note: str = ""


@dataclass
class RuleInput:
    """What a rule may use: the node, which input, names, and what forward saved."""

    node: object
    index: int
    names: list[str]  # the inputs' names, in next_functions order
    incoming: str  # the incoming grad's name, e.g. ∂z/∂y
    saved: tuple  # the tensors the node saved in forward ((): none, or not known)

    @property
    def x(self) -> str:
        return self.names[self.index] if self.index < len(self.names) else "x"

    def name(self, i: int) -> str:
        return self.names[i] if i < len(self.names) else "xy"[i % 2]

    def other(self) -> str:
        return self.name(1 - self.index) if len(self.names) == 2 else text("rule.other_input")

    def tensor(self, j: int) -> Tensor | None:
        return self.saved[j] if j < len(self.saved) else None

    def number(self, j: int) -> str | None:
        return _bracketed(short(self.tensor(j)))

    def data(self, j: int) -> np.ndarray | None:
        t = self.tensor(j)
        return None if t is None else np.asarray(t.detach().numpy(), dtype=np.float64)


def _bracketed(s: str | None) -> str | None:
    """A negative number inside a product gets brackets: 2 · (−3), not 2 · -3."""
    return f"({s})" if s is not None and s.startswith("-") else s


def _factor(expr: str) -> str:
    """Brackets around a sum or a difference that is multiplied: 1 · (1 − t), 1 · (−1)."""
    depth = 0
    for i, ch in enumerate(expr):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth == 0 and (ch in "+−-" and (i == 0 or expr[i - 1] == " ")):
            return f"({expr})"
    return expr


_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power(x: str, n: object) -> str:
    """n·xⁿ⁻¹ written simply: 2·x (not 2·x^1), 3·x², 0.5·x^(−0.5); "1" for n = 1."""
    if not isinstance(n, (int, float)):
        return text("local.pow", n="n", x=x, power="^(n−1)")
    if n == 0:
        return "0"
    if n == 1:
        return "1"
    p = n - 1
    if p == 1:
        power = ""
    elif float(p).is_integer():
        power = f"{int(p)}".translate(_SUPERSCRIPTS)
    else:
        power = f"^({p:g})".replace("-", "−")
    return text("local.pow", n=f"{n:g}", x=x, power=power)


def _local(key: str, numbers_key: str | None = None, array: Callable | None = None,
           saved: int | None = 0, note: str = "") -> Callable[[RuleInput], Formula]:
    """A rule for an elementwise op whose local derivative is message `key` of x (and of a
    saved tensor r when `numbers_key` is given)."""
    def rule(c: RuleInput) -> Formula:
        numbers = None
        if numbers_key is not None and saved is not None and c.number(saved) is not None:
            numbers = text(numbers_key, r=c.number(saved), x=c.number(saved))
        values = c.data(saved) if saved is not None else None
        return Formula("local", text(key, x=c.x), numbers,
                       array(values) if array is not None and values is not None else None,
                       note)
    return rule


def _constant(key: str, number: float) -> Callable[[RuleInput], Formula]:
    return lambda c: Formula("local", text(key), None, np.array(number))


def _mul(c: RuleInput) -> Formula:
    # Mul saves (b, a): the other factor of each input, at the input's own index
    return Formula("local", c.other(), c.number(c.index), c.data(c.index))


def _div(c: RuleInput) -> Formula:
    b, a = c.data(0), c.data(1)
    if c.index == 0:
        numbers = f"1/{c.number(0)}" if c.number(0) else None
        return Formula("local", text("local.div_a", b=c.name(1)), numbers,
                       None if b is None else 1 / b)
    numbers = (text("local.div_b", a=c.number(1), b=c.number(0))
               if c.number(0) and c.number(1) else None)
    return Formula("local", text("local.div_b", a=c.name(0), b=c.name(1)), numbers,
                   None if a is None or b is None else -a / (b * b))


def _pow(c: RuleInput) -> Formula:
    n = getattr(c.node, "n", None)
    x = c.data(0)
    numbers = _power(c.number(0), n) if c.number(0) and isinstance(n, (int, float)) else None
    array = n * x ** (n - 1) if x is not None and isinstance(n, (int, float)) else None
    return Formula("local", _power(c.x, n), numbers, array)


def _pow_tensor(c: RuleInput) -> Formula:
    a, b = c.name(0), c.name(1)
    if c.index == 0:
        return Formula("local", text("local.pow_b", a=a, b=b))
    return Formula("local", text("local.pow_e", a=a, b=b))


def _mask(name: str, test: Callable[[RuleInput], np.ndarray | None], key: str,
          saved: int = 0) -> Callable[[RuleInput], Formula]:
    """A rule whose local derivative is 1 where a condition holds and 0 elsewhere."""
    def rule(c: RuleInput) -> Formula:
        held = test(c)
        numbers = None
        if held is not None:
            numbers = short(from_numpy(np.asarray(held, dtype=np.float32)))
        return Formula("local", text(key, x=c.x), numbers, None if held is None else
                       held.astype(np.float64), text("local.note_mask"))
    return rule


def _clamp_inside(c: RuleInput) -> np.ndarray | None:
    x = c.data(0)
    if x is None:
        return None
    low, high = getattr(c.node, "low", None), getattr(c.node, "high", None)
    inside = np.ones(x.shape, dtype=bool)
    if low is not None:
        inside &= x >= low
    if high is not None:
        inside &= x <= high
    return inside


def _where(c: RuleInput) -> Formula:
    condition = getattr(c.node, "condition", None)
    if isinstance(condition, Tensor):
        condition = condition.detach().numpy()
    held = None if condition is None else np.asarray(condition)
    if held is not None and c.index == 1:
        held = ~held.astype(bool)
    key = "local.where_a" if c.index == 0 else "local.where_b"
    numbers = None if held is None else short(from_numpy(held.astype(np.float32)))
    return Formula("local", text(key), numbers, None, text("local.note_mask"))


def _vjp(key: str, **extra: Callable[[RuleInput], object]) -> Callable[[RuleInput], Formula]:
    """A rule written as a whole: message `key` with G, x, a, b (and `extra` fields)."""
    def rule(c: RuleInput) -> Formula:
        fields = {name: get(c) for name, get in extra.items()}
        return Formula("vjp", text(key, G=c.incoming, x=c.x, a=c.name(0), b=c.name(1), **fields))
    return rule


def _dims_of(node, attr: str = "dims") -> str:
    dims = getattr(node, attr, None)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return _dims_text(dims, None)


def _dims_text(dims: Sequence[int], sizes: tuple | None) -> str:
    if sizes is None:
        return (text("rule.dim_plain", d=dims[0]) if len(dims) == 1
                else text("rule.dims", dims=", ".join(map(str, dims))))
    return ", ".join(text("rule.dim", d=d, size=sizes[d]) for d in dims)


def _numel(c: RuleInput) -> int:
    meta = graph_inspect.input_metadata(c.node)
    return int(np.prod(meta[c.index][0])) if c.index < len(meta) else 0


def _mean_count(c: RuleInput) -> int:
    shape_ = getattr(c.node, "shape", ())
    dims = getattr(c.node, "dims", None)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return int(np.prod([shape_[d] for d in dims if d is not None])) if shape_ else 0


def _input_shape(c: RuleInput) -> str:
    meta = graph_inspect.input_metadata(c.node)
    return shape(meta[c.index][0]) if c.index < len(meta) else "?"


RULES: dict[str, Callable[[RuleInput], Formula]] = {
    "AddBackward0": _constant("local.one", 1.0),
    "SubBackward0": lambda c: (_constant("local.one", 1.0) if c.index == 0
                               else _constant("local.minus_one", -1.0))(c),
    "RsubBackward1": _constant("local.minus_one", -1.0),
    "NegBackward0": _constant("local.minus_one", -1.0),
    "MulBackward0": _mul,
    "DivBackward0": _div,
    "ReciprocalBackward0": _local("local.reciprocal", "local.reciprocal_v", lambda r: -r * r),
    "PowBackward0": _pow,
    "PowBackward1": _pow_tensor,
    "PowBackward2": lambda c: Formula("local", text("local.rpow", c=f"{getattr(c.node, 'c', 'c')}",
                                                    x=c.x)),
    "ExpBackward0": _local("local.exp", "local.value", lambda r: r),  # exp's local: its result
    "LogBackward0": _local("local.log", "local.log", lambda x: 1 / x),
    "SqrtBackward0": _local("local.sqrt", "local.sqrt_v", lambda r: 1 / (2 * r)),
    "SinBackward0": _local("local.sin", "local.sin", np.cos),
    "CosBackward0": _local("local.cos", "local.cos", lambda x: -np.sin(x)),
    "TanhBackward0": _local("local.tanh", "local.tanh_v", lambda r: 1 - r * r),
    "SigmoidBackward0": _local("local.sigmoid", "local.sigmoid_v", lambda r: r * (1 - r)),
    "ReluBackward0": _mask("relu", lambda c: None if c.data(0) is None else c.data(0) > 0,
                           "local.relu"),
    "AbsBackward0": _local("local.abs", "local.abs", np.sign),
    "ClampBackward1": _mask("clamp", _clamp_inside, "local.clamp"),
    "WhereBackward0": _where,
    "MmBackward0": lambda c: _vjp("vjp.mm_a" if c.index == 0 else "vjp.mm_b")(c),
    "MvBackward0": lambda c: _vjp("vjp.mv_a" if c.index == 0 else "vjp.mv_b")(c),
    "DotBackward0": _vjp("vjp.dot", other=lambda c: c.other()),
    "BmmBackward0": lambda c: _vjp("vjp.bmm_a" if c.index == 0 else "vjp.bmm_b")(c),
    "SumBackward0": _vjp("vjp.sum"),
    "SumBackward1": _vjp("vjp.sum_dim", dims=lambda c: _dims_of(c.node)),
    "MeanBackward0": _vjp("vjp.mean", n=_numel),
    "MeanBackward1": _vjp("vjp.mean_dim", n=_mean_count, dims=lambda c: _dims_of(c.node)),
    "VarBackward0": _vjp("vjp.var", correction=lambda c: f"{getattr(c.node, 'correction', 1)}"),
    "StdBackward0": _vjp("vjp.std", correction=lambda c: f"{getattr(c.node, 'correction', 1)}"),
    "MaxBackward1": _vjp("vjp.max", which=lambda c: "max"),
    "MinBackward1": _vjp("vjp.max", which=lambda c: "min"),
    "MaxBackward0": _vjp("vjp.max_dim", which=lambda c: "max", dim=lambda c: c.node.dim),
    "MinBackward0": _vjp("vjp.max_dim", which=lambda c: "min", dim=lambda c: c.node.dim),
    "LinalgVectorNormBackward0": _vjp("vjp.norm"),
    "ViewBackward0": _vjp("vjp.view", shape=_input_shape),
    "UnsafeViewBackward0": _vjp("vjp.view", shape=_input_shape),
    "ReshapeAliasBackward0": _vjp("vjp.view", shape=_input_shape),
    "ExpandBackward0": _vjp("vjp.expand", shape=_input_shape),
    "TransposeBackward0": _vjp("vjp.transpose", d0=lambda c: c.node.dims[0],
                               d1=lambda c: c.node.dims[1]),
    "TBackward0": _vjp("vjp.t"),
    "PermuteBackward0": _vjp("vjp.permute",
                             dims=lambda c: ", ".join(map(str, np.argsort(c.node.dims)))),
    "UnsqueezeBackward0": _vjp("vjp.unsqueeze", dim=lambda c: c.node.dim),
    "CumsumBackward0": _vjp("vjp.cumsum", dim=lambda c: c.node.dim),
    "FlipBackward0": _vjp("vjp.flip", dims=lambda c: _dims_of(c.node)),
    "SqueezeBackward0": _vjp("vjp.squeeze", shape=_input_shape),
    "SqueezeBackward1": _vjp("vjp.squeeze", shape=_input_shape),
    "SqueezeBackward4": _vjp("vjp.squeeze", shape=_input_shape),
    "CloneBackward0": _vjp("vjp.copy"),
    "AliasBackward0": _vjp("vjp.copy"),
    "ToCopyBackward0": _vjp("vjp.cast",
                            dtype=lambda c: str(graph_inspect.input_metadata(c.node)[0][1])),
    "SelectBackward0": _vjp("vjp.index", shape=_input_shape),
    "SliceBackward0": _vjp("vjp.index", shape=_input_shape),
    "IndexBackward0": _vjp("vjp.index", shape=_input_shape),
    "AsStridedBackward0": _vjp("vjp.as_strided", shape=_input_shape),
    "IndexPutBackward0": _vjp("vjp.unindex"),
    "CatBackward0": _vjp("vjp.cat", dim=lambda c: c.node.dim),
    "StackBackward0": _vjp("vjp.stack", i=lambda c: c.index, dim=lambda c: c.node.dim),
    "UnbindBackward0": _vjp("vjp.unbind", dim=lambda c: c.node.dim),
    # the nodes of a gradient's own graph (create_graph=True): PyTorch's backward formulas
    "AddBackward1": _vjp("vjp.scalar_add"),
    "SubBackward1": _vjp("vjp.scalar_add"),
    "MulBackward1": _vjp("vjp.scalar_mul"),
    "DivBackward1": _vjp("vjp.scalar_div"),
    "SgnBackward0": _vjp("vjp.sgn"),
    "MaskedFillBackward0": _vjp("vjp.masked_fill"),
    "MaskedFillBackward1": lambda c: _vjp(
        "vjp.masked_fill" if c.index == 0 else "vjp.masked_fill_value")(c),
    "MaskedSelectBackward0": _vjp("vjp.masked_select", shape=_input_shape),
    "MaskedScatterBackward0": _vjp("vjp.masked_scatter"),
    "ScatterBackward0": _vjp("vjp.scatter"),
    "GatherBackward0": _vjp("vjp.gather", shape=_input_shape),
    "ScatterAddBackward0": _vjp("vjp.scatter_add"),
    "IndexPutImplBackward0": _vjp("vjp.unindex"),
    **{name: _vjp("vjp.double", op=lambda c: c.node.name().removesuffix("Backward0"))
       for name in ("TanhBackwardBackward0", "SigmoidBackwardBackward0",
                    "ThresholdBackwardBackward0", "SelectBackwardBackward0",
                    "SliceBackwardBackward0", "SoftmaxBackwardDataBackward0",
                    "LogSoftmaxBackwardDataBackward0")},
    "SoftmaxBackward0": _vjp("vjp.softmax", dim=lambda c: c.node.dim),
    "LogSoftmaxBackward0": _vjp("vjp.log_softmax", dim=lambda c: c.node.dim),
    "ZeroBackward0": _vjp("vjp.zero"),
    "FillBackward2": _vjp("vjp.zero"),
    "FillBackward3": lambda c: _vjp("vjp.zero" if c.index == 0 else "vjp.fill")(c),
    "smallgrad::autograd::CopyBackwards": lambda c: _vjp(
        "vjp.copy_dst" if c.index == 0 else "vjp.copy_src")(c),
}

# products: the grad keeps the incoming grad's shape, then is summed back over broadcast dims
BROADCASTING = {"AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0",
                "PowBackward1", "WhereBackward0"}


def formula(node, index: int, names: list[str], incoming: str, saved: tuple = ()) -> Formula | None:
    """The rule of `node` for input `index`, or None if it has none (or cannot apply)."""
    rule = RULES.get(node.name())
    if rule is None:
        return None
    try:
        return rule(RuleInput(node, index, names, incoming, tuple(saved or ())))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


def broadcast_dims(small: tuple, big: tuple) -> list[int]:
    """The dims of `big` that broadcasting added to `small`: the grad is summed over them."""
    lead = len(big) - len(small)
    return list(range(lead)) + [lead + i for i, size in enumerate(small)
                                if size == 1 and big[lead + i] != 1]


def sum_lines(head: str, parts: list[tuple[Tensor, str]], total: Tensor,
              keep: int = 3) -> list[str]:
    """head = part 1   (label)
            + part 2   (label)
            + … (k more)
            + last part
            = total       one part a line, the middle of a long sum left out."""
    shown: list = list(parts)
    if len(parts) > keep + 1:
        shown = shown[:keep] + [None] + shown[-1:]
    pad = spaces(head)
    lines: list[str] = []
    for n, part in enumerate(shown):
        sign = f"{head} = " if n == 0 else f"{pad} + "
        if part is None:
            lines.append(sign + text("rule.more", k=len(parts) - keep - 1))
            continue
        lines += placed(sign, value(part[0]))
        lines[-1] += f"   {part[1]}"
    lines += placed(f"{pad} = ", value(total))
    return lines


def _broadcast_parts(upstream: Tensor, local: np.ndarray, grad: Tensor) -> list | None:
    """The parts a broadcast grad sums: the slices of G ⊙ local along the broadcast dims,
    or None when they don't add up to the engine's grad (then they are not shown)."""
    big, small = tuple(upstream.shape), tuple(grad.shape)
    full = np.broadcast_to(np.asarray(upstream.detach().numpy(), dtype=np.float64) * local,
                           big)
    dims = broadcast_dims(small, big)
    parts = []
    for combo in np.ndindex(*[big[d] for d in dims]):
        where = [slice(None)] * len(big)
        for d, k in zip(dims, combo):
            where[d] = k
        piece = full[tuple(where)].reshape(small).astype(grad.detach().numpy().dtype)
        label = ", ".join(str(w) if isinstance(w, int) else ":" for w in where)
        parts.append((from_numpy(piece), text("rule.broadcast_part", index=f"[{label}]")))
    total = np.sum([np.asarray(p.numpy(), dtype=np.float64) for p, _ in parts], axis=0)
    if not np.allclose(total, grad.detach().numpy(), rtol=1e-4, atol=1e-6, equal_nan=True):
        return None
    return parts


def chain_rule(*, root: str, out: str, inp: str, part: str, node, index: int,
               labels: list[str], upstream: Tensor | None, grad: Tensor,
               saved: tuple | None = None) -> list[str]:
    """∂z/∂w = ∂z/∂y · ∂y/∂w = 1 · x = 1 · 3 = 3, with shapes and any broadcast sum.

    `saved` is what the node saved in forward (taken before backward freed it); without
    it the node's saved tensors are used if they are still there.
    """
    if saved is None:
        saved = graph_inspect.saved_tensors(node) or ()
    lhs = f"∂{root}/∂{inp}{part}"
    up = f"∂{root}/∂{out}"
    pad = spaces(lhs)
    if graph_inspect.is_user_function(node):
        return _custom_lines(lhs, up, inp, node, index, upstream, grad)
    rule = formula(node, index, labels, up, saved)
    if rule is None:
        lines = [f"{lhs} = " + text("rule.no_formula", node=node.name(), up=up)]
        lines += placed(f"{pad} = ", value(grad))
        return lines + [text("rule.shapes", up=up, up_shape=shape(upstream), lhs=lhs,
                             shape=shape(grad))]
    if rule.kind == "vjp":
        lines = [f"{lhs} = {rule.text}"] + placed(f"{pad} = ", value(grad))
        return lines + [_shapes_line(node, index, up, upstream, lhs, grad, labels)]
    return _local_lines(lhs, up, out, inp, node, rule, upstream, grad)


def _local_lines(lhs, up, out, inp, node, rule: Formula, upstream, grad) -> list[str]:
    pad = spaces(lhs)
    lines = [text("rule.chain", lhs=lhs, up=up, out=out, inp=inp)]
    scalar = upstream is not None and upstream.ndim == 0
    times = "·" if scalar else "⊙"
    g_number = _bracketed(short(upstream))
    pieces = [f"{g_number or up} {times} {_factor(rule.text)}"]
    if g_number is not None and rule.numbers is not None and (
            _factor(rule.numbers) != _factor(rule.text)):
        pieces.append(f"{g_number} {times} {_factor(rule.numbers)}")
    broadcast = (node.name() in BROADCASTING and upstream is not None
                 and tuple(upstream.shape) != tuple(grad.shape))
    dims = broadcast_dims(tuple(grad.shape), tuple(upstream.shape)) if broadcast else []
    if broadcast:
        named = _dims_text(dims, tuple(upstream.shape))
        pieces[-1] = text("rule.summed", expr=pieces[-1], dims=named)
    result = value(grad)
    one_line = " = ".join(pieces + [result])
    if "\n" not in one_line and len(pad) + 3 + len(one_line) <= 88:
        lines.append(f"{pad} = {one_line}")
    else:
        lines += [f"{pad} = {p}" for p in pieces] + placed(f"{pad} = ", result)
    if rule.note:
        lines.append(rule.note)
    if not scalar:
        lines.append(text("rule.elementwise", op=node.name()))
    lines.append(text("rule.shapes", up=up, up_shape=shape(upstream), lhs=lhs,
                      shape=shape(grad)))
    if broadcast:
        big, small = shape(upstream), shape(grad)
        lines.append(text("rule.broadcast", inp=inp, small=small, node=node.name(), big=big,
                          dims=_dims_text(dims, tuple(upstream.shape))))
        parts = (_broadcast_parts(upstream, rule.array, grad)
                 if rule.array is not None else None)
        if parts is not None:
            lines += sum_lines(lhs, parts, grad)
    return lines


def _shapes_line(node, index, up, upstream, lhs, grad, labels) -> str:
    meta = graph_inspect.input_metadata(node)
    if node.name() == "MmBackward0" and upstream is not None and len(meta) == 2:
        g = tuple(upstream.shape)
        if index == 0:  # G · Bᵀ
            b = meta[1][0]
            left, right = _compact(g), _compact(b[::-1])
            words = f"{up} · {labels[1]}ᵀ → {lhs}"
        else:  # Aᵀ · G
            a = meta[0][0]
            left, right = _compact(a[::-1]), _compact(g)
            words = f"{labels[0]}ᵀ · {up} → {lhs}"
        return text("rule.shapes_mm", left=left, right=right,
                    result=_compact(tuple(grad.shape)), formula=words)
    return text("rule.shapes", up=up, up_shape=shape(upstream), lhs=lhs, shape=shape(grad))


def _custom_lines(lhs, up, inp, node, index, upstream, grad) -> list[str]:
    cls = graph_inspect.forward_class(node).__name__
    positions = graph_inspect.input_positions(node)
    pos = positions[index] if index < len(positions) else index
    pad = spaces(lhs)
    lines = placed(f"{lhs} = " + text("rule.custom", cls=cls, up=up) + " = ", value(upstream))
    lines += placed(f"{pad} = ", value(grad))
    lines.append(text("rule.custom_returned", cls=cls, inp=inp, pos=pos))
    lines.append(text("rule.shapes", up=up, up_shape=shape(upstream), lhs=lhs,
                      shape=shape(grad)))
    return lines


# --- the whole card of a stepper step ---------------------------------------------------------

class Cards:
    """The stepper's words: the card of each step, the log lines, the edge labels.

    Build it from the forward graph before backward runs (it keeps what each node saved,
    so the card can put the real numbers into the formulas after backward freed them).
    `card(steps, position, n_steps)` reads the stepper's steps: each has `.records` (each
    with `.record`, an engine step, `.printed`, `.retained`, and for an AccumulateStep
    `.before` and `.after`, the stepper's copies of .grad), `.edge` and `.error`.
    """

    def __init__(self, forward: model.Graph) -> None:
        self.graph = forward
        self.root = forward.nodes[forward.root].label.split("\n")[0]
        self.saved = {node: saved for node in forward.rank
                      if (saved := graph_inspect.saved_tensors(node)) is not None}
        self.numbers: dict[str, int] = {}  # edge id -> which part of its variable's grad
        self.parts, self.labels = self._edge_labels()
        self._sources = {e.id: e.src for e in forward.edges}
        self._texts: dict[int, tuple[object, str]] = {}  # id(pulled) -> (pulled, its words)

    def _edge_labels(self) -> tuple[dict[str, str], dict[str, str]]:
        """Which gradient flows on each edge: ∂z/∂y, or a part of it when y is used twice.
        Returns (edge id -> " (part k)" or "", edge id -> the label drawn on the edge)."""
        uses: dict[str, list[str]] = {}
        for e in self.graph.edges:
            if e.kind == "grad":
                uses.setdefault(e.src, []).append(e.id)
        parts, labels = {}, {}
        for src, ids in uses.items():
            var = self.graph.nodes[src].label.split("\n")[0]
            for k, eid in enumerate(ids, start=1):
                self.numbers[eid] = k
                several = len(ids) > 1
                parts[eid] = text("card.part", k=k) if several else ""
                labels[eid] = text("card.edge_label_part" if several else "card.edge_label",
                                   root=self.root, var=var, k=k)
        return parts, labels

    def var_label(self, node, slot: int = 0) -> str:
        gnode = self.graph.nodes.get(self.graph.var_id(node, slot))
        if gnode is None:
            return text("card.output_of", slot=slot, node=node.name())
        return gnode.label.split("\n")[0]

    def input_labels(self, node) -> list[str]:
        r = self.graph.rank[node]
        return [self.graph.nodes[self._sources[f"e{r}_{i}"]].label.split("\n")[0]
                for i in range(len(node.next_functions))]

    def card(self, steps: Sequence, position: int, n_steps: int) -> str:
        root = self.root
        if position == 0:
            return text("card.start", root=root, n=n_steps)
        step = steps[position - 1]
        lines = [text("card.step", k=position, n=n_steps)]
        edge = step.edge
        if edge is not None:
            lines[0] += text("card.edge", inp=self.var_label(edge.dst, edge.dst_slot),
                             op=model.op_label(edge.src), src=edge.src.name(),
                             dst=edge.dst.name().rsplit("::", 1)[-1], index=edge.index)
            lines += [""] + self.chain_rule(steps[:position], edge)
        before, after = [], []
        passed = False  # records after the edge (leaves accumulating) come under "Then"
        for pulled in step.records:
            if pulled.record is edge:
                passed = True
            elif not isinstance(pulled.record, autograd.RootStep):
                (after if passed else before).extend(placed("• ", self.record_text(pulled)))
        if before:
            lines += ["", text("card.before")] + before
        if after:
            lines += ["", text("card.then")] + after
        if edge is not None and isinstance(edge.dst, autograd.AccumulateGrad) and not any(
                isinstance(p.record, autograd.AccumulateStep) and p.record.node is edge.dst
                for p in step.records):
            leaf = self.var_label(edge.dst)
            key = "card.accumulate_later_ready" if edge.ready else "card.accumulate_later_parts"
            lines += ["", text(key, leaf=leaf, src=edge.src.name(), root=root)]
        if step.error:
            lines += ["", text("card.error"), step.error]
        return "\n".join(lines)

    def chain_rule(self, steps: Sequence, edge) -> list[str]:
        """The chain-rule lines for `edge`; `steps` are those taken so far."""
        inp = self.var_label(edge.dst, edge.dst_slot)
        eid = self.graph.edge_id(edge.src, edge.index)
        lines = chain_rule(root=self.root, out=self.var_label(edge.src, 0), inp=inp,
                           part=self.parts.get(eid, ""), node=edge.src, index=edge.index,
                           labels=self.input_labels(edge.src),
                           upstream=upstream(steps, edge.src), grad=edge.grad,
                           saved=self.saved.get(edge.src, ()))
        if edge.total is not edge.grad:  # a tensor used more than once: the parts add up
            arrived = [s.edge for s in steps if s.edge is not None
                       and s.edge.dst is edge.dst and s.edge.dst_slot == edge.dst_slot]
            parts = [(e.grad, text("rule.from", k=self.numbers.get(self.graph.edge_id(
                e.src, e.index), 1), node=e.src.name())) for e in arrived]
            lines.append(text("rule.fan_in", inp=inp))
            lines += sum_lines(text("rule.so_far", root=self.root, inp=inp), parts, edge.total)
        return lines

    def record_text(self, pulled) -> str:
        """One engine record in words (and what a hook printed while it ran). A record
        never changes, so its words are kept: the log asks for all of them at every step."""
        known = self._texts.get(id(pulled))
        if known is not None and known[0] is pulled:
            return known[1]
        line = self._record_text(pulled)
        self._texts[id(pulled)] = (pulled, line)
        return line

    def _record_text(self, pulled) -> str:
        r = pulled.record
        root = self.root
        if isinstance(r, autograd.RootStep):
            line = block_text("record.root", root=root, value=value(r.grad))
        elif isinstance(r, autograd.HookStep):
            var = self.var_label(r.node, r.slot)
            if r.hook == "retain_grad":
                line = block_text("record.retain_grad", var=var, value=value(pulled.retained))
            else:
                line = block_text("record.hook", name=hook_name(r.hook), var=var,
                            result=hook_result(r.grad_in, r.grad_out))
        elif isinstance(r, autograd.CallStep):
            line = text("record.call", node=r.node.name(), root=root,
                        var=self.var_label(r.node, 0), shape=shape(r.grad_outputs[0]))
        elif isinstance(r, autograd.FreeStep):
            line = text("record.free", node=r.node.name())
        elif isinstance(r, autograd.EdgeStep):
            line = block_text("record.edge", var=self.var_label(r.dst, r.dst_slot),
                        op=model.op_label(r.src), value=value(r.grad))
            if r.total is not r.grad:
                line = joined(line, block_text("record.edge_sum", value=value(r.total)))
        elif isinstance(r, autograd.AccumulateStep):  # the stepper's copies of .grad
            line = block_text("record.accumulate", var=self.var_label(r.node),
                        before=value(pulled.before), after=value(pulled.after))
        else:
            line = type(r).__name__
        for printed in pulled.printed.rstrip().split("\n") if pulled.printed else ():
            line += text("record.printed", line=printed)
        return line


def upstream(steps: Sequence, node) -> Tensor | None:
    """The grad that came into `node` (its CallStep's grad_outputs[0]), if it has run."""
    for step in reversed(steps):
        for pulled in step.records:
            if isinstance(pulled.record, autograd.CallStep) and pulled.record.node is node:
                return pulled.record.grad_outputs[0]
    return None
