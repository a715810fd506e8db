"""smallgrad/ops/cascade_sum.py adds in PyTorch's order: the same bits as torch.sum, on
random shapes, layouts and dims, and on every CPU capability torch can run with."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from smallgrad.ops.cascade_sum import GRAIN_SIZE, cascade_sum

CHECK = """
import numpy as np, torch
from smallgrad.ops.cascade_sum import cascade_sum
rng = np.random.default_rng({seed})
followed = 0
for trial in range({trials}):
    ndim = int(rng.integers(1, 4))
    shape = tuple(int(s) for s in rng.integers(1, [300, 40, 12][ndim - 1] + 1, ndim))
    dtype = (np.float32, np.float64)[trial % 2]
    x = (rng.standard_normal(shape) * 10 ** rng.uniform(-2, 2, shape)).astype(dtype)
    if ndim > 1 and rng.random() < 0.3:  # a transposed layout
        order = tuple(int(d) for d in rng.permutation(ndim))
        x = np.ascontiguousarray(np.transpose(x, order)).transpose(np.argsort(order))
    count = int(rng.integers(0, ndim + 1))
    dims = tuple(sorted(int(d) for d in rng.choice(ndim, count, replace=False)))
    dims = dims or tuple(range(ndim))
    ours = cascade_sum(x, dims)
    if ours is None:
        continue
    followed += 1
    theirs = torch.from_numpy(x).sum(dims, keepdim=True).numpy()
    assert ours.shape == theirs.shape and np.array_equal(ours, theirs), (shape, x.strides, dims)
print(followed)
"""


def run_check(seed: int, trials: int, capability: str | None = None) -> int:
    environment = dict(os.environ)
    if capability:
        environment["ATEN_CPU_CAPABILITY"] = capability
    done = subprocess.run([sys.executable, "-c", CHECK.format(seed=seed, trials=trials)],
                          capture_output=True, text=True, env=environment)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout)


def test_random_sums_have_torchs_bits(torch):
    followed = run_check(seed=0, trials=1500)
    assert followed > 1400  # the fallback (NumPy's order) is for rare layouts only


@pytest.mark.parametrize("capability", ["default", "avx2", "avx512"])
def test_torch_adds_the_same_way_on_every_cpu_capability(torch, capability):
    """torch's sum kernel is not built for AVX-512 and its generic build uses the same
    32-byte vectors, so one order serves every machine."""
    assert run_check(seed=1, trials=300, capability=capability) > 250


def test_large_sums_and_columns_have_torchs_bits(torch):
    rng = np.random.default_rng(2)
    for dtype in (np.float32, np.float64):
        for n in (65, 1024, 1025, 4097, 20000, GRAIN_SIZE):
            x = rng.standard_normal(n).astype(dtype)
            assert np.array_equal(cascade_sum(x, (0,)), torch.from_numpy(x).sum(0, keepdim=True))
        for shape in [(128, 256), (2000, 10), (300, 100), (64, 33)]:
            x = rng.standard_normal(shape).astype(dtype)
            for dim in (0, 1):
                assert np.array_equal(cascade_sum(x, (dim,)),
                                      torch.from_numpy(x).sum(dim, keepdim=True).numpy())


def test_what_it_does_not_follow_is_left_to_numpy():
    x = np.ones(GRAIN_SIZE + 1, np.float32)
    assert cascade_sum(x, (0,)) is None  # torch shares it out between threads
    assert cascade_sum(np.ones(5, np.float32)[::-1], (0,)) is None  # walked backwards
    assert cascade_sum(np.ones((2, 3, 4)), (0, 2)) is None  # dims not next to each other
    assert cascade_sum(np.arange(5), (0,)) is None  # integers: any order is exact
    assert cascade_sum(np.array([-0.0]), (0,))[0] == 0 and not np.signbit(
        cascade_sum(np.array([-0.0]), (0,))[0])  # torch's output starts at +0
