"""Memory stays flat: backward frees what forward saved, so a training loop doesn't grow."""

import gc
import tracemalloc

import numpy as np

import smallgrad as t


def _tiny_mlp():
    rng = np.random.default_rng(0)
    x = t.tensor(rng.standard_normal((32, 20)).astype(np.float32))
    labels = t.tensor(rng.integers(0, 3, 32))
    rows = t.arange(32)
    params = [t.tensor(rng.standard_normal(shape).astype(np.float32) * 0.1, requires_grad=True)
              for shape in ((20, 16), (16,), (16, 3), (3,))]

    def step():
        w1, b1, w2, b2 = params
        log_probs = ((x @ w1 + b1).tanh() @ w2 + b2).log_softmax(1)
        loss = -log_probs[rows, labels].mean()
        loss.backward()
        with t.no_grad():
            for p in params:
                p -= 0.1 * p.grad
                p.grad.zero_()
        return loss

    return step


def test_a_thousand_training_steps_keep_memory_flat():
    step = _tiny_mlp()
    for _ in range(100):  # warm up: caches, first .grad allocations
        step()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(1000):
            step()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # one step's graph is ~20 KB; a leak of even 100 bytes a step would show as 100 KB
    assert grown < 20_000, f"memory grew by {grown} bytes over 1000 steps"


def test_backward_releases_saved_arrays_without_waiting_for_the_garbage_collector():
    gc.disable()  # prove it is released by reference counting, not by a later gc pass
    try:
        x = t.ones(1000, requires_grad=True)
        y = x.exp()  # ExpBackward0 saves its result
        z = (y * y).sum()  # MulBackward0 saves y twice
        saved_nodes = [y.grad_fn, z.grad_fn.next_functions[0][0]]
        assert all(node._saved for node in saved_nodes)
        z.backward()
        assert all(not node._saved for node in saved_nodes)
    finally:
        gc.enable()


def test_retain_graph_keeps_saved_tensors_until_the_last_backward():
    x = t.ones(3, requires_grad=True)
    y = x.exp()
    z = y.sum()
    z.backward(retain_graph=True)
    assert y.grad_fn._saved, "retain_graph=True must keep the saved result"
    z.backward()
    assert not y.grad_fn._saved
    np.testing.assert_allclose(x.grad.numpy(), [2 * np.e] * 3, rtol=1e-6)  # two backwards
