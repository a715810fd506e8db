"""The no-grad fast path for + - * / (smallgrad/fast_path.py) is a seam for speed only: where
it answers, it must give exactly what the long way through smallgrad.ops gives (values,
dtype, shape and memory layout), and it must step aside wherever the long way does more."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import smallgrad as t
from smallgrad._quiet import restore, silence
from smallgrad.fast_path import no_grad_elementwise
from smallgrad.ops import add, div, mul, sub

OPS = [(np.add, add), (np.subtract, sub), (np.multiply, mul), (np.true_divide, div)]


def _operands():
    rng = np.random.default_rng(0)
    square = rng.standard_normal((3, 3))
    yield square, square.T  # a transposed operand: layout matters
    yield rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    yield rng.standard_normal((2, 3)), rng.standard_normal(3)  # broadcasting
    yield rng.standard_normal((2, 3)), np.array(0.5)  # a 0-d operand
    yield rng.standard_normal(4), rng.standard_normal(4)
    yield np.broadcast_to(rng.standard_normal(3), (2, 3)), rng.standard_normal((2, 3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ufunc, op", OPS, ids=["add", "sub", "mul", "div"])
def test_the_fast_path_gives_what_the_ops_give(ufunc, op, dtype):
    token = silence()  # as inside backward, where the fast path runs
    compared = 0
    try:
        for x, y in _operands():
            x, y = x.astype(dtype), y.astype(dtype)
            fast = no_grad_elementwise(ufunc, x, y)
            with t.no_grad():
                slow = op(t.from_numpy(x), t.from_numpy(y))._data
            if fast is None:
                continue  # the long way answers: nothing to compare
            assert fast.dtype == slow.dtype and fast.shape == slow.shape
            assert fast.strides == slow.strides  # the same layout, so view() works alike
            np.testing.assert_array_equal(fast, slow)
            compared += 1
    finally:
        restore(token)
    assert compared >= 3  # same-shape, 1-d and 0-d operands take the fast path


def test_the_fast_path_steps_aside_where_the_ops_do_more():
    token = silence()
    try:
        f32, f64 = np.ones((2, 2), np.float32), np.ones((2, 2), np.float64)
        ints = np.ones((2, 2), np.int64)
        assert no_grad_elementwise(np.add, f32, f64) is None  # promotion
        assert no_grad_elementwise(np.true_divide, ints, ints) is None  # 1 / 2 is 0.5
        assert no_grad_elementwise(np.add, f32, f32.T.copy().T) is None  # a transposed one
        assert no_grad_elementwise(np.add, f32, np.ones((3, 2), np.float32)) is None  # error
    finally:
        restore(token)
    # NumPy not silenced (outside backward): the op's own silencing runs, so no warning leaks
    assert no_grad_elementwise(np.add, np.ones(2, np.float32), np.ones(2, np.float32)) is None


def test_backward_through_the_fast_path_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    values = [rng.standard_normal(shape) for shape in ((3, 4), (4,), (3, 1))]
    results = []
    for lib in (t, torch):
        a, b, c = (lib.tensor(v, requires_grad=True) for v in values)
        out = ((a * b - c) / (b * b + 1) + a.t().t() * 0.5).sum()
        out.backward()
        results.append([x.grad.detach().numpy() for x in (a, b, c)])
    for mine, theirs in itertools.zip_longest(*results):
        np.testing.assert_array_equal(mine, theirs)
