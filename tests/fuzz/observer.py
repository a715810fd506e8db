"""Run a program under one library (torch or smallgrad) and record what a student sees.

The same code observes both libraries, through the API they share: `t.is_tensor`,
`.detach().numpy()`, `.grad`, `.grad_fn.next_functions`, `._version` (how in-place
statements move it), ... A probe that
raises is recorded as that exception's class, so a missing attribute is a difference
too, never a crash of the fuzzer.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

SECONDS_PER_STATEMENT = 60.0  # generous: torch imports lazily on its first backward
MAX_GRAPH_NODES = 400  # double backward graphs grow fast; this is plenty to compare


@dataclass(frozen=True)
class Failed:
    """A probe (or a statement) that raised: its exception class and message."""

    error: str
    message: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.error}: {self.message}"


@dataclass(frozen=True)
class Values:
    """A tensor's values, kept as a NumPy array with the library's dtype name."""

    array: np.ndarray = field(compare=False)
    dtype: str

    def __str__(self) -> str:
        return np.array2string(self.array, precision=17, separator=", ")


@dataclass
class Outcome:
    """Everything one run of one program showed."""

    error: tuple[int, Failed] | None  # the statement that raised, and what it raised
    warnings: list[tuple[int, str, str]]  # (statement, category, first line of the text)
    record: dict[str, Any]  # "a.grad" -> what `a.grad` showed, for every name in the program


# Torch gives some warnings only once per process (C++ TORCH_WARN_ONCE), so a warning
# smallgrad gives and torch did not is only a difference if torch never gave it.
TORCH_WARNED: set[str] = set()

# A statement that changes a tensor in place: x.add_(1), x += 1, x[0] = 5
IN_PLACE = re.compile(r"\w_\(|[-+*/]= |\] = ")


def run(statements: tuple[str, ...], library: ModuleType,
        before_each: Callable[[int, dict[str, Any]], None] | None = None) -> Outcome:
    """Execute the statements one by one, stopping at the first exception, then observe.
    `before_each(index, namespace)` runs before each statement (see replay.py)."""
    namespace: dict[str, Any] = {"t": library}
    error, caught_warnings, version_changes = None, [], {}
    try:
        for index, statement in enumerate(statements):
            if before_each is not None:
                before_each(index, namespace)
            before = versions(namespace, library) if IN_PLACE.search(statement) else None
            with warnings.catch_warnings(record=True) as caught, time_limit(SECONDS_PER_STATEMENT):
                warnings.simplefilter("always")
                try:
                    exec(compile(statement, f"<statement {index}>", "exec"), namespace)
                except Exception as exception:  # a hang ends as TimeoutError, see time_limit
                    error = (index, failed(exception))
            caught_warnings += [(index, w.category.__name__, first_line(w.message))
                                for w in caught]
            if before is not None:
                version_changes.update(changes(before, versions(namespace, library), index))
            if error:
                break
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # reading a non-leaf's .grad warns
            record = observe(namespace, library) | version_changes
    finally:
        reset_global_state(library)
    if library.__name__ == "torch":
        TORCH_WARNED.update(message for _, _, message in caught_warnings)
    return Outcome(error, caught_warnings, record)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise TimeoutError in a statement that runs longer than `seconds` (a hang is a bug
    to report, not a reason for the fuzzer to hang too). Only on the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise TimeoutError(f"the statement ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def versions(namespace: dict[str, Any], library: ModuleType) -> dict[str, Any]:
    return {name: attempt(lambda value=value: value._version)
            for name, value in namespace.items() if is_tensor(library, value)}


def changes(before: dict[str, Any], after: dict[str, Any], index: int) -> dict[str, Any]:
    """How an in-place statement moved the version of each tensor that existed before it
    (the public part of _version: the tensor it changed, and every view sharing its memory)."""
    return {f"{name}.version change at statement {index + 1}":
            after[name] - before[name] if not isinstance(before[name], Failed) else before[name]
            for name in before if name in after and not isinstance(after[name], Failed)}


def failed(exception: BaseException) -> Failed:
    return Failed(type(exception).__name__, first_line(exception))


def first_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def reset_global_state(library: ModuleType) -> None:
    """A program may switch anomaly mode or grad mode on; the next one must not inherit it."""
    autograd = getattr(library, "autograd", None)
    if hasattr(autograd, "set_detect_anomaly"):
        autograd.set_detect_anomaly(False)
    if hasattr(library, "set_grad_enabled"):
        library.set_grad_enabled(True)


def observe(namespace: dict[str, Any], library: ModuleType) -> dict[str, Any]:
    """Record every name the program made, in the order it made them."""
    names_of = {}  # id(tensor) -> the first name bound to it
    for name, value in namespace.items():
        if is_tensor(library, value):
            names_of.setdefault(id(value), name)
    record: dict[str, Any] = {}
    for name, value in namespace.items():
        if name != "t" and not name.startswith("__"):
            observe_value(record, name, value, library, names_of)
    return record


def is_tensor(library: ModuleType, value: object) -> bool:
    return bool(library.is_tensor(value))


def observe_value(record: dict, key: str, value: Any, library: ModuleType,
                  names_of: dict[int, str]) -> None:
    if is_tensor(library, value):
        observe_tensor(record, key, value, names_of, with_grad=True)
    elif isinstance(value, (list, tuple)):
        record[f"{key}.len"] = len(value)
        for i, item in enumerate(value):
            observe_value(record, f"{key}[{i}]", item, library, names_of)
    elif value is None or isinstance(value, (bool, int, float, str)):
        record[key] = value
    # functions, hook handles, modules: nothing a comparison could use


def observe_tensor(record: dict, key: str, tensor: Any, names_of: dict[int, str],
                   with_grad: bool) -> None:
    probes = {
        "value": lambda: Values(array_of(tensor), dtype_name(tensor.dtype)),
        "dtype": lambda: dtype_name(tensor.dtype),
        "shape": lambda: tuple(tensor.shape),
        "requires_grad": lambda: tensor.requires_grad,
        "is_leaf": lambda: tensor.is_leaf,
        "retains_grad": lambda: tensor.retains_grad,
        "identity": lambda: names_of.get(id(tensor), "a tensor with no name"),
        "graph": lambda: graph(tensor.grad_fn, names_of),
    }
    for aspect, probe in probes.items():
        record[f"{key}.{aspect}"] = attempt(probe)
    if with_grad:
        grad = attempt(lambda: tensor.grad)
        if grad is None or isinstance(grad, Failed):
            record[f"{key}.grad"] = grad
        else:
            record[f"{key}.grad"] = "a tensor"
            observe_tensor(record, f"{key}.grad", grad, names_of, with_grad=False)


def array_of(tensor: Any) -> np.ndarray:
    detached = tensor.detach()
    try:
        return np.array(detached.numpy(), copy=True)
    except RuntimeError:  # torch's grads can be ZeroTensors, which numpy() refuses
        return np.array(detached.numpy(force=True), copy=True)


def attempt(probe):
    try:
        return probe()
    except Exception as exception:
        return failed(exception)


def dtype_name(dtype: object) -> str:
    return str(dtype).rsplit(".", 1)[-1]  # torch.float32 and smallgrad.float32 -> float32


def node_name(node: Any) -> str:
    """A node's name() with the library's own namespace prefix made neutral."""
    name = node.name()
    for library in ("torch::", "smallgrad::"):
        if name.startswith(library):
            return "<library>::" + name[len(library):]
    return name


def graph(root: Any, names_of: dict[int, str]) -> tuple | None:
    """The whole graph below `root`, as a tuple two libraries' graphs can be compared with.

    Nodes are numbered in the order a breadth-first walk over next_functions meets them,
    so shared nodes (fan-out) and the slot each edge feeds are part of the shape. An
    AccumulateGrad node says which named tensor it accumulates into.
    """
    if root is None:
        return None
    number = {id(root): 0}
    order, nodes = [root], []
    while len(nodes) < len(order) and len(order) < MAX_GRAPH_NODES:
        node = order[len(nodes)]
        edges = []
        for child, slot in node.next_functions:
            if child is None:
                edges.append((None, slot))
                continue
            if id(child) not in number:
                number[id(child)] = len(order)
                order.append(child)
            edges.append((number[id(child)], slot))
        variable = getattr(node, "variable", None)
        target = names_of.get(id(variable), "a tensor with no name") if variable is not None else ""
        nodes.append((node_name(node), tuple(edges), target))
    return tuple(nodes)
