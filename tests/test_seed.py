"""The seed chapter (shared/seed-zh.md) runs unchanged with `import smallgrad as t`.

Its code blocks are copied below as they are; only the import differs. They run one
after another in one namespace, like the cells of a notebook, and the value of each
cell's last expression is its output. The same cells then run under PyTorch: the
random inputs are smallgrad's own numbers, handed to torch, so that every output can
be compared.
"""

from __future__ import annotations

import ast
import contextlib
import io

import numpy as np
import pytest

import smallgrad

SEED = 2024

# --- the seed's code blocks, in order -------------------------------------------------------
CELLS = {
    "requires_grad three ways": """\
#在创建tensor的时候指定requires_grad
a = t.randn(3,4, requires_grad=True)
# 或者
a = t.randn(3,4).requires_grad_()
# 或者
a = t.randn(3,4)
a.requires_grad=True
a
""",
    "d = sum(a + b)": """\
a = t.randn(3,4, requires_grad=True) # a允许求导
b = t.zeros(3,4).requires_grad_() # b允许求导
c = a+b # 没有指定c能够求导
d = c.sum() 
d.backward() #进行反向传播
""",  # noqa: W291 - the seed's trailing space, kept as it is
    "d": """\
d # d还是一个requires_grad=True的tensor,对它的操作需要慎重
d.requires_grad # True
""",
    "a.grad": """\
a.grad
""",
    "requires_grad of a, b, c": """\
# 此处虽然没有指定c需要求导，但c依赖于a，而a需要求导，
# 因此c的requires_grad属性会自动设为True
a.requires_grad, b.requires_grad, c.requires_grad
""",
    "is_leaf of a, b, c": """\
# 由用户创建的variable属于叶子节点，对应的grad_fn是None
a.is_leaf, b.is_leaf, c.is_leaf

# (True, True, False)
""",
    "f and gradf": """\
def f(x):
    '''计算y'''
    y = x**2 * t.exp(x)
    return y

def gradf(x):
    '''手动求导函数'''
    dx = 2*x*t.exp(x) + x**2*t.exp(x)
    return dx
""",
    "y = f(x)": """\
x = t.randn(3,4, requires_grad = True)
y = f(x)
y
'''
tensor([[1.7010e-03, 1.7171e+00, 2.9237e-01, 1.1170e-01],
        [1.4809e-03, 2.6344e+01, 1.3164e-01, 4.0763e+00],
        [3.2292e-01, 2.2965e+01, 5.3342e-01, 5.3551e-01]],
       grad_fn=<MulBackward0>)
'''
""",
    # The seed's block continues with the printed result, pasted in as if it were code
    # (`tensor([[-0.0791, ...]], grad_fn=<AddBackward0>)` is not Python): only its first
    # line is code. test_printed_results_look_like_the_seeds checks the rest.
    "gradf(x)": """\
gradf(x) 
""",  # noqa: W291
    "y.backward(gradient)": """\
y.backward(t.ones(y.size())) # gradient形状与y一致
x.grad
'''
tensor([[-0.0791,  5.7351, -0.4285,  0.8841],
        [-0.0740, 53.4620, -0.4462, 11.2205],
        [-0.4075, 47.4507, -0.0703, -0.0598]])
'''
""",
    "autograd.grad": """\
# 第一种方法：使用grad获取中间变量的梯度
x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
z = y.sum()
# z对y的梯度，隐式调用backward()
print(t.autograd.grad(z, y))
print(t.autograd.grad(z,x))
# print(t.autograd.grad(z,w))
""",
    "hook": """\
# 第二种方法：使用hook
# hook是一个函数，输入是梯度，不应该有返回值
def variable_hook(grad):
    print('y的梯度：',grad)

x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
# 注册hook
hook_handle = y.register_hook(variable_hook)
z = y.sum()
z.backward()

# 除非你每次都要用hook，否则用完之后记得移除hook
hook_handle.remove()
""",
    "Mul": """\
class Mul(Function):

    @staticmethod
    def forward(ctx, w, x, b, x_requires_grad = True):
        ctx.x_requires_grad = x_requires_grad
        ctx.save_for_backward(w,x)
        output = w * x + b
        return output

    @staticmethod
    def backward(ctx, grad_output):
        w,x = ctx.saved_tensors
        grad_w = grad_output * x
        if ctx.x_requires_grad:
            grad_x = grad_output * w
        else:
            grad_x = None
        grad_b = grad_output * 1
        return grad_w, grad_x, grad_b, None
""",
}

# The seed writes `import torch as t` (and uses `Function` from torch.autograd).
SMALLGRAD_IMPORT = "import smallgrad as t\nfrom smallgrad.autograd import Function\n"
TORCH_IMPORT = "import torch as t\nfrom torch.autograd import Function\n"


# --- running cells like a notebook ---------------------------------------------------------
def is_pasted_output(statement: ast.stmt) -> bool:
    """The seed shows a result as a bare '''string''' after the code: not part of it."""
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def run_cell(code: str, namespace: dict):
    """Run a cell; give (value of its last expression or None, what it printed)."""
    tree = ast.parse(code)
    while tree.body and is_pasted_output(tree.body[-1]):
        tree.body.pop()
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(tree, "<cell>", "exec"), namespace)
        value = None
        if last is not None:
            value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    return value, printed.getvalue()


def run_seed_with_smallgrad() -> tuple[dict, dict]:
    """All cells with smallgrad, seeded; returns ({cell: (value, printed)}, namespace)."""
    namespace: dict = {}
    exec(SMALLGRAD_IMPORT, namespace)
    namespace["t"].manual_seed(SEED)
    return {name: run_cell(code, namespace) for name, code in CELLS.items()}, namespace


class SameRandomNumbers:
    """torch, except that randn and rand give the numbers smallgrad gave (same seed,
    same calls, same order), so both runs start from the same inputs."""

    def __init__(self, torch):
        self._torch = torch
        smallgrad.manual_seed(SEED)

    def __getattr__(self, name):
        return getattr(self._torch, name)

    def _same(self, make, size, requires_grad):
        values = make(*size).numpy()  # smallgrad's next random numbers
        return self._torch.tensor(values, requires_grad=requires_grad)

    def randn(self, *size, requires_grad=False):
        return self._same(smallgrad.randn, size, requires_grad)

    def rand(self, *size, requires_grad=False):
        return self._same(smallgrad.rand, size, requires_grad)


def run_seed_with_torch(torch) -> dict:
    namespace: dict = {}
    exec(TORCH_IMPORT, namespace)
    namespace["t"] = SameRandomNumbers(torch)
    return {name: run_cell(code, namespace) for name, code in CELLS.items()}


# --- comparing ------------------------------------------------------------------------------
def as_smallgrad(text: str) -> str:
    return text.replace("torch.", "smallgrad.")


def assert_same_output(ours, theirs):
    """Tensors print the same and hold the same values (allclose: exp may differ in the
    last bit, and then a printed digit may too); anything else is equal."""
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for mine, expected in zip(ours, theirs):
            assert_same_output(mine, expected)
    elif hasattr(theirs, "grad_fn"):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-5)
        if np.array_equal(ours.detach().numpy(), theirs.detach().numpy()):
            assert repr(ours) == as_smallgrad(repr(theirs))
        else:
            assert len(repr(ours)) == len(as_smallgrad(repr(theirs)))
            assert repr(ours).split("grad_fn")[1:] == repr(theirs).split("grad_fn")[1:]
    elif isinstance(theirs, str):
        assert ours == as_smallgrad(theirs)
    else:
        assert ours == theirs


# --- the tests ------------------------------------------------------------------------------
def test_every_cell_runs_with_smallgrad():
    outputs, _ = run_seed_with_smallgrad()
    assert list(outputs) == list(CELLS)


def test_outputs_the_seed_shows():
    outputs, ns = run_seed_with_smallgrad()
    assert ns["a"].requires_grad and ns["a"].is_leaf
    assert outputs["d"][0] is True
    assert repr(outputs["a.grad"][0]) == (  # printed in the seed
        "tensor([[1., 1., 1., 1.],\n        [1., 1., 1., 1.],\n        [1., 1., 1., 1.]])")
    assert outputs["requires_grad of a, b, c"][0] == (True, True, True)
    assert outputs["is_leaf of a, b, c"][0] == (True, True, False)
    assert outputs["autograd.grad"][1].splitlines()[0] == "(tensor([1., 1., 1.]),)"
    assert outputs["hook"][1] == "y的梯度： tensor([1., 1., 1.])\n"


def test_autograd_agrees_with_the_hand_derivative():
    outputs, _ = run_seed_with_smallgrad()
    by_hand, by_autograd = outputs["gradf(x)"][0], outputs["y.backward(gradient)"][0]
    np.testing.assert_allclose(by_hand.detach().numpy(), by_autograd.numpy(), rtol=1e-5)


def test_printed_results_look_like_the_seeds():
    # The seed prints y, gradf(x) and x.grad for its own random x. Ours differ in the
    # numbers, but not in how they are printed: 3 rows, and the same suffixes.
    outputs, _ = run_seed_with_smallgrad()
    y, by_hand, grad = (outputs[name][0] for name in ("y = f(x)", "gradf(x)",
                                                       "y.backward(gradient)"))
    assert repr(y).endswith("grad_fn=<MulBackward0>)") and repr(y).count("\n") in (2, 3)
    assert repr(by_hand).endswith("grad_fn=<AddBackward0>)")
    assert "grad_fn" not in repr(grad) and repr(grad).count("\n") == 2


def test_every_cell_matches_torch(torch):
    ours, _ = run_seed_with_smallgrad()
    theirs = run_seed_with_torch(torch)
    for name in CELLS:
        (my_value, my_print), (their_value, their_print) = ours[name], theirs[name]
        assert_same_output(my_value, their_value)
        assert my_print == as_smallgrad(their_print), name


def test_the_commented_out_line_raises_as_in_torch(torch):
    # The seed comments out `print(t.autograd.grad(z,w))`: after the first two calls
    # the graph's saved tensors are freed (the first call, which only ran SumBackward0,
    # freed nothing; the second ran MulBackward0 and freed its saved x and w).
    code = CELLS["autograd.grad"].replace("# print(t.autograd.grad(z,w))",
                                          "print(t.autograd.grad(z,w))")
    assert code != CELLS["autograd.grad"]
    messages = []
    for import_line, make_t in ((SMALLGRAD_IMPORT, None), (TORCH_IMPORT, SameRandomNumbers)):
        namespace: dict = {}
        exec(import_line, namespace)
        if make_t is not None:
            namespace["t"] = make_t(torch)
        with pytest.raises(RuntimeError) as error:
            run_cell(code, namespace)
        messages.append(as_smallgrad(str(error.value)))
    assert messages[0] == messages[1]
    assert messages[0].startswith("Trying to backward through the graph a second time")


# --- the seed's Mul Function ------------------------------------------------------------------
def mul_function(import_line: str, make_t=None, torch=None):
    namespace: dict = {}
    exec(import_line, namespace)
    exec(CELLS["Mul"], namespace)
    return namespace["Mul"], (make_t(torch) if make_t else namespace["t"])


def use_mul(Mul, t, x_requires_grad=None):
    w = t.tensor([2.0, -1.0], requires_grad=True)
    x = t.tensor([3.0, 0.5], requires_grad=True)
    b = t.tensor([1.0, 1.0], requires_grad=True)
    args = (w, x, b) if x_requires_grad is None else (w, x, b, x_requires_grad)
    z = Mul.apply(*args)
    z.sum().backward()
    return z, w.grad, x.grad, b.grad


def test_mul_function_works_as_written():
    Mul, t = mul_function(SMALLGRAD_IMPORT)
    z, grad_w, grad_x, grad_b = use_mul(Mul, t)  # backward returns 4 grads for 3 inputs
    assert repr(z) == "tensor([7.0000, 0.5000], grad_fn=<MulBackward>)"
    assert grad_w.tolist() == [3.0, 0.5] and grad_x.tolist() == [2.0, -1.0]
    assert grad_b.tolist() == [1.0, 1.0]
    z, grad_w, grad_x, grad_b = use_mul(Mul, t, x_requires_grad=False)
    assert grad_x is None and grad_w.tolist() == [3.0, 0.5]


def test_mul_function_passes_gradcheck():
    Mul, t = mul_function(SMALLGRAD_IMPORT)
    w, x, b = (t.randn(3, dtype=t.float64, requires_grad=True) for _ in range(3))
    assert t.autograd.gradcheck(Mul.apply, (w, x, b))


def test_mul_function_matches_torch(torch):
    for x_requires_grad in (None, True, False):
        ours = use_mul(*mul_function(SMALLGRAD_IMPORT), x_requires_grad)
        theirs = use_mul(*mul_function(TORCH_IMPORT, SameRandomNumbers, torch),
                         x_requires_grad)
        assert [repr(v) for v in ours] == [as_smallgrad(repr(v)) for v in theirs]
