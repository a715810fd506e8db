"""How a tensor turns into text: the same characters PyTorch 2.13 prints.

PyTorch's rules live in torch/_tensor_str.py. In short:

* One formatter is chosen for the whole tensor, so that every element has the same width
  and the columns line up. It looks only at the nonzero finite values and picks one style:
    - "integer" style when they are all whole numbers:  tensor([1., 2.])
    - scientific style when they span a wide range:     tensor([1.0000e-05, 1.0000e+05])
    - otherwise fixed-point with `precision` digits:    tensor([0.5000, 1.2500])
* Rows longer than `linewidth` characters wrap; nested lists are indented one more space
  per level, and 3-d (or more) tensors put blank lines between their blocks.
* Tensors with more than `threshold` elements are summarized: only the first and last
  `edgeitems` entries of every dimension are shown, with "..." in between.
* Extra facts (dtype, size, grad_fn, ...) follow the values as ", name=value" suffixes.

Everything is computed with Python floats (C doubles), exactly as torch does via
`tensor.tolist()` and `tensor.item()`, so float16 and float32 print the same digits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator, Sequence

import numpy as np

from . import dtypes


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4  # digits after the decimal point
    threshold: float = 1000  # summarize tensors with more elements than this
    edgeitems: int = 3  # entries shown at each end of a summarized dimension
    linewidth: int = 80  # characters per line before wrapping
    sci_mode: bool | None = None  # None: choose automatically


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """Set the printing options, as torch.set_printoptions does.

    `profile` ("default", "short" or "full") first resets precision, threshold, edgeitems
    and linewidth; the other arguments then override it. Like torch, `sci_mode` is always
    assigned, so leaving it out turns automatic choice back on.
    """
    for name, value in _PROFILES.get(profile, {}).items():
        setattr(PRINT_OPTS, name, value)
    for name, value in [("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)]:
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options, as keyword arguments for set_printoptions()."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Change the printing options inside a `with` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses one style and one width that fit every element of `values`."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True  # floats that are all whole numbers print as "3."
        self.sci_mode = False
        self.width = 1
        if not self.floating:  # ints and bools: as wide as the longest str()
            self.width = max([1] + [len(str(v)) for v in values.ravel().tolist()])
            return
        # Only nonzero finite values decide the style; nan, inf and 0 fit in any of them.
        picked = values[np.isfinite(values) & (values != 0)].astype(np.float64).tolist()
        if not picked:
            return
        self.int_mode = all(v.is_integer() for v in picked)
        smallest, largest = min(map(abs, picked)), max(map(abs, picked))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        self.width = max(len(self._text(v)) for v in picked)

    def _text(self, v) -> str:
        """One element, not yet padded."""
        if not self.floating:
            return str(v)
        if self.sci_mode:
            return f"{v:.{PRINT_OPTS.precision}e}"
        if self.int_mode:  # the "." tells a float from an int (but not for nan and inf)
            return f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        return f"{v:.{PRINT_OPTS.precision}f}"

    def format(self, v) -> str:
        """One element, right-aligned to the common width."""
        return self._text(v).rjust(self.width)


def _summarized(data: np.ndarray) -> np.ndarray:
    """Only the elements a summarized print shows: `edgeitems` at both ends of each axis.

    The formatter looks at these alone, so hidden values do not change the layout.
    """
    e = PRINT_OPTS.edgeitems
    for axis, n in enumerate(data.shape):
        if n > 2 * e:
            data = np.take(data, list(range(e)) + list(range(n - e, n)), axis=axis)
    return data


def _vector_str(row: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """A 1-d list, wrapped to the line width; `indent` is the column of its "["."""
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and len(row) > 2 * e:
        items = ([fmt.format(v) for v in row[:e].tolist()] + [" ..."]
                 + [fmt.format(v) for v in row[-e:].tolist()])
    else:
        items = [fmt.format(v) for v in row.tolist()]
    # Each item costs its width plus ", ". Torch counts the width of the formatter,
    # even for the odd item (like "-inf" or " ...") that is longer than it.
    per_line = max(1, (PRINT_OPTS.linewidth - indent) // (fmt.width + 2))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    """Any number of dimensions, one nesting level at a time."""
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    e, n = PRINT_OPTS.edgeitems, data.shape[0]

    def block(i: int) -> str:  # one (k-1)-d block, one column further right
        return _nested_str(data[i], indent + 1, summarize, fmt)

    if summarize and n > 2 * e:
        parts = [block(i) for i in range(e)] + ["..."] + [block(i) for i in range(n - e, n)]
    else:
        parts = [block(i) for i in range(n)]
    # A k-d tensor separates its (k-1)-d blocks by k-2 blank lines.
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    """Append ", suffix" for each suffix, moving to a new line when one would not fit."""
    # Torch measures the last line this way (2 more than its length when there is no "\n").
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        # Break lines where torch does: measure "dtype=smallgrad.int32" as "dtype=torch.int32".
        length = len(suffix.replace("smallgrad.", "torch."))
        if last_line_len + length + 2 > PRINT_OPTS.linewidth:
            text += ",\n" + " " * indent + suffix
            last_line_len = indent + length
        else:
            text += ", " + suffix
            last_line_len += length + 2
    return text + ")"


def tensor_repr(
    data: np.ndarray, *, dtype_name: str | None = None, suffixes: Sequence[str] = ()
) -> str:
    """The repr of a tensor holding `data`, character for character as PyTorch prints it.

    data:       the values: a NumPy array of any shape (0-d and empty included) and of
                dtype float16/32/64, int8/16/32/64, uint8 or bool.
    dtype_name: the smallgrad dtype's name, e.g. "float64"; defaults to data.dtype.name.
                The ", dtype=smallgrad.<name>" suffix is added when torch would add it:
                for any dtype but the default float dtype, int64 and bool (and for empty
                tensors, for any dtype but the default float dtype).
    suffixes:   already formatted extras that go last, e.g. ["requires_grad=True"] or
                ["grad_fn=<MulBackward0>"].

    >>> tensor_repr(np.array([1.0, 2.0]), suffixes=["requires_grad=True"])
    'tensor([1., 2.], dtype=smallgrad.float64, requires_grad=True)'
    """
    data = np.asarray(data)
    name = dtype_name or data.dtype.name
    default_float = dtypes.default_float.name
    prefix = "tensor("
    indent = len(prefix)
    extras = []
    if data.size == 0:
        if data.ndim != 1:  # only the shape (0,) goes without saying
            extras.append(f"size={tuple(data.shape)}")
        if name != default_float:  # no values to tell an int tensor from a float one
            extras.append(f"dtype=smallgrad.{name}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:  # nothing but "..." is shown, so give the size
            extras.append(f"size={tuple(data.shape)}")
        if name not in (default_float, "int64", "bool"):
            extras.append(f"dtype=smallgrad.{name}")
        summarize = data.size > PRINT_OPTS.threshold
        fmt = _Formatter(_summarized(data) if summarize else data)
        body = _nested_str(data, indent, summarize, fmt)
    return _add_suffixes(prefix + body, [*extras, *suffixes], indent)
