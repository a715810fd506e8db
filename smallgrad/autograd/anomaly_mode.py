"""Anomaly mode: PyTorch's debugging switch for backward (torch.autograd.detect_anomaly).

While it is on, every node remembers where in your code its forward op ran. If that
node's backward then fails (for example because a saved tensor was changed in place),
a warning shows that line before the error is raised: that is how you find the guilty
in-place op. With check_nan, a backward that returns NaN raises at once.
"""

from __future__ import annotations

import traceback
import warnings

import numpy as np

from .._warn import _SMALLGRAD_DIR, warn


class _AnomalyState:
    enabled = False  # class attributes: read once per op, so they must be cheap
    check_nan = True


def is_anomaly_enabled() -> bool:
    return _AnomalyState.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _AnomalyState.check_nan


class set_detect_anomaly:  # noqa: N801 - named as torch.autograd.set_detect_anomaly
    """Turn anomaly mode on or off: as a plain call, or as a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_AnomalyState.enabled, _AnomalyState.check_nan)
        _AnomalyState.enabled, _AnomalyState.check_nan = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _AnomalyState.enabled, _AnomalyState.check_nan = self.prev


class detect_anomaly:  # noqa: N801 - named as torch.autograd.detect_anomaly
    """`with smallgrad.autograd.detect_anomaly(): ...` turns anomaly mode on inside."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self.prev = (_AnomalyState.enabled, _AnomalyState.check_nan)
        _AnomalyState.enabled, _AnomalyState.check_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        _AnomalyState.enabled, _AnomalyState.check_nan = self.prev


def forward_stack() -> list[str]:
    """The caller's stack, without smallgrad's own frames: it ends at the user's line."""
    frames = [f for f in traceback.extract_stack() if not f.filename.startswith(_SMALLGRAD_DIR)]
    return traceback.format_list(frames)


def report_failure(node) -> None:
    """Backward failed in `node`: show where its forward ran, as PyTorch does."""
    stack = getattr(node, "_forward_stack", None)
    if stack is None:
        message = (f"Error detected in {node.name()}. No forward pass information available. "
                   "Enable detect anomaly during forward pass for more information.")
    else:
        message = (f"Error detected in {node.name()}. Traceback of forward call that caused "
                   "the error:\n" + "".join(stack))
    warn(message)


def check_nan(node, grads: tuple) -> None:
    if not _AnomalyState.check_nan:
        return
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                               "output.")
