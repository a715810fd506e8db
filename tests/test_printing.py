"""Tensor printing: exact strings from PyTorch 2.13, then a differential test against torch."""

import math
import os

import numpy as np
import pytest
from conftest import require_torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smallgrad._printing import get_printoptions, printoptions, set_printoptions, tensor_repr

nan, inf = math.nan, math.inf


@pytest.fixture(autouse=True)
def _default_printoptions():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def f32(*values):
    return np.array(values, dtype=np.float32)


# (array, expected repr), every expected string printed by torch 2.13 for the same values.
EXACT = [
    (f32(1.0, 2.0), "tensor([1., 2.])"),
    (f32(1e-5, 1e5), "tensor([1.0000e-05, 1.0000e+05])"),
    (f32(nan, inf, -inf, -0.0, 1.5), "tensor([   nan,    inf,   -inf, -0.0000, 1.5000])"),
    (f32(nan, -0.0, 0.0), "tensor([nan, -0., 0.])"),
    (np.array(24.0, dtype=np.float32), "tensor(24.)"),
    (np.array(3), "tensor(3)"),
    (np.array(True), "tensor(True)"),
    (f32(), "tensor([])"),
    (np.zeros((0, 3), np.float32), "tensor([], size=(0, 3))"),
    (np.zeros((0, 3), np.int64), "tensor([], size=(0, 3), dtype=smallgrad.int64)"),
    (np.zeros(0, np.int32), "tensor([], dtype=smallgrad.int32)"),
    (np.array([1.5, 2.25]), "tensor([1.5000, 2.2500], dtype=smallgrad.float64)"),
    (np.array([0.1, 2], np.float16), "tensor([0.1000, 2.0000], dtype=smallgrad.float16)"),
    (np.array([True, False]), "tensor([ True, False])"),
    (np.array([-3, 100], np.int8), "tensor([ -3, 100], dtype=smallgrad.int8)"),
    (np.array([1, 2], np.uint8), "tensor([1, 2], dtype=smallgrad.uint8)"),
    (np.arange(24).reshape(2, 3, 4),
     "tensor([[[ 0,  1,  2,  3],\n         [ 4,  5,  6,  7],\n         [ 8,  9, 10, 11]],\n\n"
     "        [[12, 13, 14, 15],\n         [16, 17, 18, 19],\n         [20, 21, 22, 23]]])"),
    (np.arange(30, dtype=np.float32) / np.float32(3),
     "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n"
     "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n"
     "        6.0000, 6.3333, 6.6667, 7.0000, 7.3333, 7.6667, 8.0000, 8.3333, 8.6667,\n"
     "        9.0000, 9.3333, 9.6667])"),
    (np.arange(2000), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    # Torch keeps this dtype on the line: breaks are decided as if it read "torch.float16".
    (np.array([44.62, -53.7, 58.12, 36.47, 29.4], np.float16),
     "tensor([ 44.6250, -53.6875,  58.1250,  36.4688,  29.4062], dtype=smallgrad.float16)"),
]


@pytest.mark.parametrize(("data", "expected"), EXACT)
def test_exact_strings(data, expected):
    assert tensor_repr(data) == expected


def test_summarized_3d_wraps_rows():
    text = tensor_repr(np.arange(1200, dtype=np.float32).reshape(3, 20, 20))
    assert text.startswith(
        "tensor([[[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.7000e+01,\n"
        "          1.8000e+01, 1.9000e+01],\n"
        "         [2.0000e+01, 2.1000e+01, 2.2000e+01,  ..., 3.7000e+01,\n"
        "          3.8000e+01, 3.9000e+01],\n"
    )
    assert "3.9000e+01]],\n\n        [[4.0000e+02" not in text  # rows 2..16 are skipped
    assert "         ...,\n         [3.4000e+02" in text
    assert text.endswith("         [1.1800e+03, 1.1810e+03, 1.1820e+03,  ..., 1.1970e+03,\n"
                         "          1.1980e+03, 1.1990e+03]]])")


def test_suffixes():
    assert (tensor_repr(f32(0.1, 0.2), suffixes=["requires_grad=True"])
            == "tensor([0.1000, 0.2000], requires_grad=True)")
    assert (tensor_repr(np.array(2.0, np.float32), suffixes=["grad_fn=<MulBackward0>"])
            == "tensor(2., grad_fn=<MulBackward0>)")
    data = np.array([[1.7010e-03, 1.7171e00, 2.9237e-01, 1.1170e-01],
                     [1.4809e-03, 2.6344e01, 1.3164e-01, 4.0763e00]], np.float32)
    assert tensor_repr(data, suffixes=["grad_fn=<MulBackward0>"]) == (
        "tensor([[1.7010e-03, 1.7171e+00, 2.9237e-01, 1.1170e-01],\n"
        "        [1.4809e-03, 2.6344e+01, 1.3164e-01, 4.0763e+00]],\n"
        "       grad_fn=<MulBackward0>)"
    )
    assert (tensor_repr(np.array([1.0]), dtype_name="float64", suffixes=["requires_grad=True"])
            == "tensor([1.], dtype=smallgrad.float64, requires_grad=True)")


def test_printoptions():
    set_printoptions(precision=2)
    assert tensor_repr(f32(1.12345)) == "tensor([1.12])"
    set_printoptions(threshold=5)  # precision stays 2
    assert tensor_repr(np.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    assert tensor_repr(f32(0.0, 0.1)) == "tensor([0.00, 0.10])"
    set_printoptions(profile="default", edgeitems=0, threshold=5)
    assert tensor_repr(np.arange(10)) == "tensor([...], size=(10,))"
    assert tensor_repr(np.arange(12).reshape(3, 4)) == "tensor([...], size=(3, 4))"
    assert tensor_repr(np.arange(4)) == "tensor([0, 1, 2, 3], size=(4,))"
    set_printoptions(profile="default", sci_mode=True)
    assert tensor_repr(f32(1.5, 0.0)) == "tensor([1.5000e+00, 0.0000e+00])"
    assert tensor_repr(f32(0.0)) == "tensor([0.])"  # nothing nonzero: sci_mode is not used
    set_printoptions(sci_mode=False)
    assert tensor_repr(f32(1e-8, 1e9)) == "tensor([         0.0000, 1000000000.0000])"
    with printoptions(linewidth=30):
        assert tensor_repr(np.arange(20)) == (
            "tensor([ 0,  1,  2,  3,  4,\n         5,  6,  7,  8,  9,\n"
            "        10, 11, 12, 13, 14,\n        15, 16, 17, 18, 19])"
        )
    assert get_printoptions()["linewidth"] == 80


# ---------------------------------------------------------------------------------------------
# Differential test: random arrays printed by smallgrad and by torch must match exactly.

FLOATS = [np.float16, np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8]
MAX_EXAMPLES = int(os.environ.get("PRINTING_EXAMPLES", "150"))

special_floats = st.sampled_from(
    [0.0, -0.0, nan, inf, -inf, 0.5, 1.0, -1.0, 1e-4, 9.99e-5, 1e-5, 1e5, 1e8, 1.5e8, 9999.5,
     0.33333, 2.0 / 3.0, 123456.7, 5e-324, 1e308, 65504.0, 1e-40, 0.00015]
)
float_values = st.one_of(
    special_floats,
    st.floats(width=64),  # anything, nan and inf included
    st.floats(-1000, 1000),
    st.integers(-(10**9), 10**9).map(float),
    st.integers(-50, 50).map(float),
)


@st.composite
def shapes(draw):
    ndim = draw(st.integers(0, 4))
    if ndim and draw(st.integers(0, 3)) == 0:  # big enough to be summarized, or nearly
        low, high = {1: (900, 1500), 2: (25, 45), 3: (8, 14), 4: (5, 8)}[ndim]
        return tuple(draw(st.integers(low, high)) for _ in range(ndim))
    shape = [draw(st.integers(1, 8)) for _ in range(ndim)]
    if ndim and draw(st.integers(0, 7)) == 0:  # now and then an empty dimension
        shape[draw(st.integers(0, ndim - 1))] = 0
    return tuple(shape)


@st.composite
def arrays(draw, dtypes=(*FLOATS, *INTS, np.bool_)):
    """A random array: values drawn from a small palette, some spread at random scales."""
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shape = draw(shapes())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if dtype.kind == "b":
        return rng.random(shape) < draw(st.floats(0, 1))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = st.one_of(st.integers(-5, 20), st.integers(int(info.min), int(info.max)))
        palette = draw(st.lists(values.filter(lambda v: info.min <= v <= info.max), min_size=1,
                                max_size=5))
        return rng.choice(np.array(palette, dtype=dtype), size=shape)
    palette = np.array(draw(st.lists(float_values, min_size=1, max_size=6)))
    data = rng.choice(palette, size=shape)
    if draw(st.booleans()):  # mix in continuous values at some scale
        scale = 10.0 ** draw(st.integers(-10, 12))
        mask = rng.random(shape) < draw(st.floats(0, 1))
        data = np.where(mask, rng.standard_normal(shape) * scale, data)
    with np.errstate(over="ignore"):
        return np.asarray(data.astype(dtype))


def torch_repr(tensor):
    return repr(tensor).replace("torch.", "smallgrad.")


def check(data):
    torch = require_torch()  # skips without torch, fails under CI
    assert tensor_repr(data) == torch_repr(torch.tensor(data))
    if data.dtype.kind == "f":
        assert (tensor_repr(data, suffixes=["requires_grad=True"])
                == torch_repr(torch.tensor(data, requires_grad=True)))
        assert (tensor_repr(data, suffixes=["grad_fn=<MulBackward0>"])
                == torch_repr(torch.tensor(data, requires_grad=True) * 1))


@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays())
def test_matches_torch(data):
    check(data)


@settings(max_examples=MAX_EXAMPLES // 2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    arrays(),
    st.fixed_dictionaries({
        "precision": st.integers(0, 8),
        "threshold": st.sampled_from([0, 5, 20, 100, 1000, math.inf]),
        "edgeitems": st.integers(0, 4),
        "linewidth": st.integers(5, 120),
        "sci_mode": st.sampled_from([None, True, False]),
    }),
)
def test_matches_torch_with_printoptions(data, options):
    torch = require_torch()  # skips without torch, fails under CI
    set_printoptions(**options)
    torch.set_printoptions(**options)
    try:
        check(data)
    finally:
        torch.set_printoptions(profile="default")
