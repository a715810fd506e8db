"""Run a program under smallgrad on torch's bits: is a difference only rounding, made big?

torch's float kernels do not round as NumPy's do. Its vectorised exp, tanh and log, its
sums (which add in another order) and its matrix products can differ from smallgrad's in
the last bit, and from torch's own on another CPU. Most programs never show it (values
are compared within a tolerance), but some make that last bit whole: a cast to int, a
comparison, a tie for the largest, var of equal numbers, a large power.

To tell such a program from a wrong op, run it again under smallgrad, but before each
statement give every named tensor (and its .grad, and every Python number) torch's exact
values from the same point of torch's run, wherever the two are already close. If
smallgrad then agrees with torch, each of its statements computes what torch's computes,
to the last bit or within the tolerance, and the difference was rounding and nothing
else. A wrong op is still wrong when it is fed torch's numbers, so it still disagrees.
(Nothing is written where the values are not close: that difference is left to show.)
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from .compare import close, same
from .observer import Outcome, dtype_name, is_tensor, run

Snapshot = dict[str, Any]  # "v3" -> (dtype name, array), "v3.grad" -> ..., "f" -> 0.5


def on_torchs_bits(statements: tuple[str, ...], torch: ModuleType,
                   smallgrad: ModuleType) -> Outcome:
    """smallgrad's outcome of the program, each statement run on torch's values."""
    snapshots: list[Snapshot] = []
    run(statements, torch, lambda index, namespace: snapshots.append(snapshot(namespace, torch)))

    def give_torchs_values(index: int, namespace: dict[str, Any]) -> None:
        if index < len(snapshots):
            overwrite(namespace, snapshots[index], smallgrad)

    return run(statements, smallgrad, give_torchs_values)


def snapshot(namespace: dict[str, Any], library: ModuleType) -> Snapshot:
    taken: Snapshot = {}
    for name, value in namespace.items():
        if is_tensor(library, value):
            taken[name] = values_of(value)
            if has_grad(value):
                taken[f"{name}.grad"] = values_of(value.grad)
        elif isinstance(value, float):
            taken[name] = value
    return taken


def has_grad(tensor: Any) -> bool:
    return (tensor.is_leaf or tensor.retains_grad) and tensor.grad is not None  # (else it warns)


def values_of(tensor: Any) -> tuple[str, np.ndarray]:
    return dtype_name(tensor.dtype), tensor.detach().numpy().copy()


def overwrite(namespace: dict[str, Any], taken: Snapshot, library: ModuleType) -> None:
    """Write torch's values into smallgrad's tensors where they are close (in their memory,
    so views and saved tensors see them too, and no version moves)."""
    for name, value in list(namespace.items()):
        if is_tensor(library, value):
            write(value, taken.get(name))
            if has_grad(value):
                write(value.grad, taken.get(f"{name}.grad"))
        elif isinstance(value, float) and isinstance(taken.get(name), float) and same(
                taken[name], value):
            namespace[name] = taken[name]


def write(tensor: Any, torchs: tuple[str, np.ndarray] | None) -> None:
    if torchs is None:
        return
    dtype, array = torchs
    ours = tensor.detach().numpy()
    if dtype != dtype_name(tensor.dtype) or array.shape != ours.shape:
        return
    if ours.flags.writeable and close(array, ours, dtype):
        np.copyto(ours, array)
