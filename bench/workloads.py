"""The benchmark's workloads, one function per (workload, engine).

Each `make_<workload>(engine)` returns a zero-argument function that does one iteration
(forward and backward), or None when the engine can't run that workload. The same code
runs on smallgrad, torch and MyGrad where their APIs agree; NumPy gets a hand-written
gradient, the floor every engine is compared with.
"""

from __future__ import annotations

import numpy as np

TINY_SHAPE = (3, 4)
MLP_SIZES = (784, 256, 10)
MLP_BATCH = 128
DEEP_REPEATS = 5_000  # y = y*1.0001 + 0: two ops each, a 10,000-op chain


# --- tiny: per-op overhead ---------------------------------------------------------------
def make_tiny(engine: str, lib):
    if engine == "numpy":
        x = np.ones(TINY_SHAPE, np.float32)
        half = np.float32(0.5)

        def numpy_tiny():
            ys, y = [x], x
            for _ in range(10):
                y = (y * y + y) * half
                ys.append(y)
            y.sum()
            grad = np.ones_like(y)
            for previous in reversed(ys[:-1]):
                grad = grad * half * (2 * previous + 1)
            return grad

        return numpy_tiny
    if engine == "micrograd":
        xs = [lib.Value(1.0) for _ in range(12)]

        def micrograd_tiny():
            ys = xs
            for _ in range(10):
                ys = [(y * y + y) * 0.5 for y in ys]
            total = ys[0]
            for y in ys[1:]:
                total = total + y
            total.backward()

        return micrograd_tiny
    x = _leaf(engine, lib, np.ones(TINY_SHAPE, np.float32))

    def tiny():
        y = x
        for _ in range(10):
            y = (y * y + y) * 0.5
        y.sum().backward()

    return tiny


# --- deep: engine scaling ----------------------------------------------------------------
def make_deep(engine: str, lib, repeats: int = DEEP_REPEATS):
    start = np.linspace(0.5, 1.5, 4, dtype=np.float32)
    if engine == "numpy":
        scale = np.float32(1.0001)

        def numpy_deep():
            y = start
            for _ in range(repeats):
                y = y * scale + np.float32(0)
            y.sum()
            grad = np.ones_like(y)
            for _ in range(repeats):
                grad = grad * scale
            return grad

        return numpy_deep
    if engine == "micrograd":
        xs = [lib.Value(float(v)) for v in start]

        def micrograd_deep():
            ys = xs
            for _ in range(repeats):
                ys = [y * 1.0001 + 0 for y in ys]
            total = ys[0] + ys[1] + ys[2] + ys[3]
            total.backward()

        return micrograd_deep
    x = _leaf(engine, lib, start)

    def deep():
        y = x
        for _ in range(repeats):
            y = y * 1.0001 + 0
        y.sum().backward()

    return deep


# --- mlp: array throughput ---------------------------------------------------------------
def mlp_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = MLP_SIZES
    x = rng.standard_normal((MLP_BATCH, n_in)).astype(np.float32)
    labels = rng.integers(0, n_out, MLP_BATCH)
    w1 = (rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)).astype(np.float32)
    w2 = (rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)).astype(np.float32)
    b1 = np.zeros(n_hidden, np.float32)
    b2 = np.zeros(n_out, np.float32)
    return x, labels, [w1, b1, w2, b2]


def make_mlp(engine: str, lib, lr: float = 0.01):
    x, labels, params = mlp_data()
    rows = np.arange(MLP_BATCH)
    if engine == "numpy":
        w1, b1, w2, b2 = (p.copy() for p in params)

        def numpy_mlp():
            hidden = np.tanh(x @ w1 + b1)
            logits = hidden @ w2 + b2
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            loss = -log_probs[rows, labels].mean()
            # backward by hand
            grad_logits = np.exp(log_probs)
            grad_logits[rows, labels] -= 1
            grad_logits /= MLP_BATCH
            grad_w2 = hidden.T @ grad_logits
            grad_b2 = grad_logits.sum(axis=0)
            grad_hidden = (grad_logits @ w2.T) * (1 - hidden * hidden)
            grad_w1 = x.T @ grad_hidden
            grad_b1 = grad_hidden.sum(axis=0)
            for p, g in ((w1, grad_w1), (b1, grad_b1), (w2, grad_w2), (b2, grad_b2)):
                p -= lr * g
            return loss

        return numpy_mlp
    if engine.split("@")[0] not in ("smallgrad", "torch"):  # (smallgrad@REV: a baseline)
        return None  # MyGrad and micrograd lack this API (log_softmax, in-place grads)
    inputs = lib.tensor(x)
    targets = lib.tensor(labels)
    row_index = lib.tensor(rows)
    w1, b1, w2, b2 = (_leaf(engine, lib, p.copy()) for p in params)

    def mlp():
        hidden = (inputs @ w1 + b1).tanh()
        log_probs = (hidden @ w2 + b2).log_softmax(1)
        loss = -log_probs[row_index, targets].mean()
        loss.backward()
        with lib.no_grad():
            for p in (w1, b1, w2, b2):
                p -= lr * p.grad
                p.grad.zero_()
        return loss

    return mlp


def _leaf(engine: str, lib, array: np.ndarray):
    if engine == "mygrad":
        return lib.tensor(array)  # MyGrad tensors are differentiable by default
    return lib.tensor(array, requires_grad=True)
