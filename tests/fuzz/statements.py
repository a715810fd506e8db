"""What a program may say: one-line templates, grouped by what they exercise.

Blanks ({x}, {y}, {d}, ...) are explained in fill.py. Torch decides whether a filled
statement is valid (pool.py), so templates need not guard shapes themselves. The ops are
every public op of smallgrad (smallgrad/__init__.py, tensor.py) plus those issue 9 says
are missing (t.mm, t.mv, t.dot, t.bmm, t.t, setitem, in-place on views, anomaly mode).
"""

from __future__ import annotations

from .kinds import boolean, floating, has_dims, whole_numbers

# Definitions a program starts with when it uses them (see PRELUDES)
SQUARE = """class Square(t.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return 2 * x * grad"""
SCALE = """class Scale(t.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 3

    @staticmethod
    def backward(ctx, grad):
        seen.append(len(ctx.saved_tensors))
        return grad * 3"""
# (what a statement uses, the statement that defines it)
PRELUDES = (("seen.", "seen = []"), ("Square.", SQUARE), ("Scale.", SCALE))

LEAVES = [
    "{name} = t.tensor({lit}, requires_grad=True)",
    "{name} = t.tensor({lit}, dtype=t.float64, requires_grad=True)",
    "{name} = t.tensor({lit}, dtype=t.float64)",
    "{name} = t.tensor({lit})",
    "{name} = t.tensor({ints})",
    "{name} = t.tensor({f}, requires_grad=True)",
    "{name} = t.ones(2, 3, requires_grad=True)",
    "{name} = t.zeros(3, dtype=t.float64)",
    "{name} = t.full((2, 3), 0.1, dtype=t.float64, requires_grad=True)",
    "{name} = t.arange(6.0).reshape(2, 3)",
    "{name} = t.linspace(-1, 1, 4, dtype=t.float64)",
    "{name} = t.eye(3, requires_grad=True)",
]

UNARY = [
    "{new} = {x}.exp()", "{new} = t.exp({x})", "{new} = ({x}.abs() + 1).log()",
    "{new} = t.log({x})", "{new} = {x}.sqrt()", "{new} = t.sqrt({x}.abs())",
    "{new} = {x}.sin()", "{new} = t.cos({x})", "{new} = {x}.tanh()", "{new} = t.tanh({x})",
    "{new} = {x}.sigmoid()", "{new} = t.sigmoid({x})", "{new} = {x}.relu()",
    "{new} = t.relu({x})", "{new} = {x}.abs()", "{new} = abs({x})", "{new} = t.abs({x})",
    "{new} = -{x}", "{new} = {x}.neg()", "{new} = {x}.clamp(-0.5, 0.5)",
    "{new} = {x}.clamp(min={f})", "{new} = t.clamp({x}, max=1/3)", "{new} = {x}.clip(0, 1)",
    "{new} = {x} ** 2", "{new} = {x}.pow(3)", "{new} = t.pow({x}, 0.5)", "{new} = {x}.square()",
    "{new} = {x}.reciprocal()", "{new} = 1 / {x}", "{new} = 2 ** {x}", "{new} = {x} * {f}",
    "{new} = {f} * {x}", "{new} = {x} / 3", "{new} = 1/3 - {x}", "{new} = {x} + {f}",
    "{new} = {x} - 1", "{new} = t.mul({x}, 2)", "{new} = {x} * 2", "{new} = t.add({x}, 1/3)",
    "{new} = t.div({x}, 3)", "{new} = t.sub({x}, 0.1)", "{new} = {x}.clone()",
    "{new} = t.clone({x})", "{new} = {x}.contiguous()", "{new} = {x}.double()",
    "{new} = {x}.float()", "{new} = {x}.to(t.float64)", "{new} = {x}.to(t.float32)",
    "{new} = t.where({x} > 0, {x}, {f})", "{new} = t.neg({x})", "{new} = t.sin({x})",
    "{new} = t.square({x})", "{new} = t.full_like({x}, 1/3)", "{new} = t.zeros_like({x})",
    "{new} = t.ones_like({x}) * {x}",
]

REDUCE = [
    "{new} = {x}.sum()", "{new} = t.sum({x})", "{new} = {x}.sum({d})",
    "{new} = {x}.sum({d}, keepdim=True)", "{new} = {x}.mean()", "{new} = {x}.mean({d})",
    "{new} = t.mean({x}, dim={d}, keepdim=True)", "{new} = {x}.var()", "{new} = {x}.var({d})",
    "{new} = {x}.var(unbiased=False)", "{new} = {x}.std()", "{new} = {x}.std({d})",
    "{new} = t.var({x})", "{new} = {x}.max()", "{new} = {x}.max({d})[0]",
    "{new} = {x}.max(dim={d}).values", "{new} = {x}.max({d}).indices", "{new} = t.max({x})",
    "{new} = {x}.min()", "{new} = t.min({x}, {d})[0]", "{new} = {x}.min(dim={d}, keepdim=True)[0]",
    "{new} = {x}.norm()", "{new} = {x}.norm(p=1)", "{new} = t.norm({x})",
    "{new} = {x}.norm(dim={d})", "{new} = {x}.argmax()", "{new} = t.argmax({x}, {d})",
    "{new} = t.softmax({x}, {d})", "{new} = {x}.softmax({d})", "{new} = {x}.log_softmax({d})",
    "{new} = t.log_softmax({x}, dim={d})", "{new} = {x}.cumsum({d})",
    "{new} = t.cumsum({x}, dim={d})", "{new} = t.flip({x}, ({d},))", "{new} = {x}.item()",
    "{new} = float({x}.sum())",
    "{new} = {x}.tolist()", "{new} = {x}.shape", "{new} = {x}.size({d})", "{new} = len({x})",
    "{new} = {x}.numel()", "{new} = {x}.dim()", "{new} = {x}.is_contiguous()",
    "{new} = t.allclose({x}, {y})", "{new} = t.equal({x}, {x}.clone())",
    "{new} = t.isclose({x}, {y})", "{new} = t.std({x})", "{new} = t.std({x}, {d})",
    "{new} = {x}.nelement()", "{new} = {x}.ndim", "{new} = {x}.type()",
    "{new} = {x}.is_floating_point()", "{new} = t.numel({x})", "{new} = {x}.grad_fn is None",
]

BINARY = [
    "{new} = {x} + {y}", "{new} = {x} - {y}", "{new} = {x} * {y}", "{new} = {x} / {y}",
    "{new} = {x} * {x}", "{new} = t.add({x}, {y})", "{new} = t.mul({x}, {y})",
    "{new} = t.sub({x}, {y}, alpha=2)", "{new} = {x}.add({y}, alpha=0.5)",
    "{new} = {x}.sub({y})", "{new} = t.div({x}, {y})", "{new} = {x} ** {y}",
    "{new} = t.where({x} > {y}, {x}, {y})", "{new} = t.where({y} > 0, {x}, {y})",
    "{new} = {x} * ({y} > 0)", "{new} = {x} > {y}", "{new} = {x} == {y}",
    "{new} = t.cat([{x}, {y}])", "{new} = t.cat([{x}, {x}], dim={d})",
    "{new} = t.stack([{x}, {y}])", "{new} = t.stack([{x}, {x}], {d})",
    "{new} = {x} @ {y}", "{new} = t.matmul({x}, {y})", "{new} = {x} @ {x}.T",
    "{new} = t.mm({x}, {x}.t())", "{new} = {x}.mm({z})", "{new} = t.mv({x}, {x}[0])",
    "{new} = {x}.mv({x}[-1])", "{new} = t.dot({x}, {x})", "{new} = {x}.dot({z})",
    "{new} = t.bmm({x}, {x}.transpose(1, 2))", "{new} = {x}.bmm({z})",
    "{new} = {x}.matmul({z})",
]

WHOLE_NUMBERS = [  # {x} is an int or bool tensor here
    "{new} = {x} * 2", "{new} = {x} + 1", "{new} = {x} / 2", "{new} = {x} * 0.5",
    "{new} = {x}.float()", "{new} = {x}.sum()", "{new} = -{x}", "{new} = {x} ** 2",
    "{new} = {x}.max()", "{new} = {x}.double()", "{new} = {x} * {z}", "{new} = {z} + {x}",
    "{new} = {x}.long()", "{new} = {x}.int()", "{new} = {x}.bool()", "{new} = {x} > 1",
    "{new} = {z}[{x}]", "{new} = {x}.to(t.float64) * {f}", "{new} = t.where({x} > 0, {z}, 0.0)",
]

PROMOTION = [  # mixing dtypes: torch's promotion rules decide the result's dtype
    "{new} = {x} * t.tensor(0.1, dtype=t.float64)", "{new} = {x} + t.tensor([1, 2, 3])",
    "{new} = {x}.double() + {y}", "{new} = {x} * {y}.double()", "{new} = {x} + True",
    "{new} = {exact}.long() * 0.5", "{new} = {exact}.long() + {exact}.int()",
    "{new} = ({x} > 0) + 1", "{new} = ({x} > 0) * 1.5", "{new} = ({x} > 0) + ({x} < 1)",
    "{new} = {exact}.int() / {exact}.long()", "{new} = t.tensor(3) * {x}",
    "{new} = t.where({x} > 0, {x}.double(), {y})", "{new} = t.cat([{x}, {x}.double()])",
    "{new} = {exact}.long().sum()", "{new} = {exact}.int().mean()",
    "{new} = {exact}.bool().sum()", "{new} = {exact}.long().max()",
    "{x} += t.tensor(1/3, dtype=t.float64)", "{x} *= ({x} > 0)",
]

MASKS = [
    "{new} = {x} > 0", "{new} = {x} >= {x}.mean()", "{new} = {x} == 0.1",
    "{new} = ({x} > 0) & ({x} < 1)", "{new} = ~({x} > 0)", "{new} = ({x} < 0) | ({x} > 1)",
    "{new} = ({x} > 0).all()", "{new} = ({x} > 0).any()", "{new} = ({x} > 0).sum()",
    "{new} = ({x} > 0).float()", "{new} = {exact}.long()", "{new} = {exact}.int()",
    "{new} = {exact}.bool()",
]

VIEWS = [
    "{new} = {x}[{i}]", "{new} = {x}[-1]", "{new} = {x}[1:]", "{new} = {x}[:1]",
    "{new} = {x}[:, 0]", "{new} = {x}[:, 1:]", "{new} = {x}[..., -1]", "{new} = {x}[None]",
    "{new} = {x}[None, 0:]", "{new} = {x}[:, None]", "{new} = {x}[[0, 0]]",
    "{new} = {x}[[1, 0]]", "{new} = {x}[{x} > 0]", "{new} = {x}[::2]", "{new} = {x}[{i}, 0]",
    "{new} = {x}.view(-1)", "{new} = {x}.view({rshape})", "{new} = {x}.reshape(-1)",
    "{new} = {x}.reshape({rshape})", "{new} = t.reshape({x}, (-1,))", "{new} = {x}.view_as({x})",
    "{new} = {x}.transpose(0, {d})", "{new} = t.transpose({x}, 0, -1)",
    "{new} = {x}.permute({perm})", "{new} = {x}.T", "{new} = {x}.t()", "{new} = t.t({x})",
    "{new} = {x}.expand(2, {shape})", "{new} = {x}.expand_as({y})", "{new} = {x}.squeeze()",
    "{new} = {x}.squeeze({d})", "{new} = t.squeeze({x})", "{new} = {x}.unsqueeze({d1})",
    "{new} = t.unsqueeze({x}, 0)", "{new} = {x}.flatten()", "{new} = {x}.detach()",
    "{new} = {x}.data", "{new} = {x}.contiguous()", "{new} = t.detach({x})",
    "{new} = t.flatten({x})", "{new} = t.permute({x}, ({perm},))", "{new} = {x}.view({x}.shape)",
    "{new} = [row * 2 for row in {x}]", "{new} = t.stack([row.sum() for row in {x}])",
    "{new} = list({x})",
]

INPLACE = [  # on any tensor: a leaf, a view, a base with views
    "{x}.add_(1)", "{x}.add_({y})", "{x} += 1/3", "{x} += {y}", "{x} -= 0.1",
    "{x}.sub_({y}, alpha=2)", "{x} *= 2", "{x}.mul_({y})", "{x} /= 3", "{x}.div_({y})",
    "{x}.pow_(2)", "{x}.clamp_(-0.5, 0.5)", "{x}.clamp_(min=0)", "{x}.zero_()",
    "{x}.fill_(0.1)", "{x}.copy_({y})",
    # __setitem__
    "{x}[0] = 5", "{x}[{i}] = 0.1", "{x}[{x} > 0] = 0", "{x}[1:] = {y}", "{x}[1:] = {y}[1:]",
    "{x}[...] = {y}", "{x}[[0, 1]] = 0.5", "{x}[:, 0] = {f}", "{x}[0] = {y}[0]",
    "{x}[{x} < 0] = {x}[{x} < 0] * 2", "{x}[t.tensor([0, 0])] = 1/3", "{x}[-1] += 1",
    "{x}[0] *= {f}", "{x}[1:].mul_(2)", "{x}.t()[0] = 0.3", "{x}.view(-1)[0] = 2.0",
    "{x}.detach().zero_()", "{x}.data.mul_(2)",
]

AUTOGRAD = [
    "{grad}.retain_grad()", "{hookable}.register_hook(lambda g: g * 10)",
    "{hookable}.register_hook(lambda g: g + 1)",
    "{hookable}.register_hook(lambda g: seen.append(g))",
    "{hookable}.register_hook(lambda g: None)",
    "{hookable}.register_hook(lambda g: g.double())",
    "h{new} = {hookable}.register_hook(lambda g: g * 2)", "{h}.remove()",
    "{leaf}.requires_grad = False", "{new} = {x}.detach().requires_grad_()",
    "{x}.requires_grad_()", "t.autograd.set_detect_anomaly(True)",
    "with t.no_grad():\n    {new} = {x} * 2", "{grad}.sum().backward(retain_graph=True)",
    "{new}, = t.autograd.grad({grad}.sum(), [{input}], retain_graph=True)",
    "{new}, = t.autograd.grad({grad}.sum(), [{input}], create_graph=True)",
    "{new} = {leaf}.grad", "{leaf}.grad = None", "{leaf}.grad.zero_()",
    "with t.no_grad():\n    {leaf} -= 0.1 * {leaf}.grad",  # a step of gradient descent
    "{leaf}.data -= 0.1 * {leaf}.grad", "{leaf}.grad.data.zero_()",
    "{grad}.sum().backward()",
    "with t.set_grad_enabled(False):\n    {new} = {x}.exp()",
    "{new} = Square.apply({x})", "{new} = Scale.apply({x})", "{x}.detach_()",
    "with t.no_grad():\n    with t.enable_grad():\n        {new} = {x} * 2",
    "{new} = t.is_grad_enabled()", "with t.no_grad():\n    {new} = t.is_grad_enabled()",
]

# The end of a program: most run backward, in one of the ways students do.
FINALES = [
    "loss = {grad}.sum()\nloss.backward()",
    "loss = {grad}.mean()\nloss.backward(retain_graph=True)\nloss.backward()",
    "loss = ({grad} * {grad}).sum()\nloss.backward()\nloss.backward()",
    "loss = {grad}.sum()\n"
    "grads = t.autograd.grad(loss, [{leaf_input}], create_graph=True)\n"
    "grads[0].sum().backward()",
    "loss = {grad}.exp().sum()\n"
    "grads = t.autograd.grad(loss, [{leaf}, {grad}], create_graph=True, allow_unused=True)\n"
    "(grads[0] * grads[0]).sum().backward()",
    "{grad}.backward(t.ones_like({grad}))",
    "with t.autograd.detect_anomaly():\n    {grad}.sum().backward()",
    "{new}, = t.autograd.grad({grad}.sum(), [{input}], retain_graph=True)\n"
    "{grad}.sum().backward()",
    "{grad}.sum().backward(create_graph=True)\n{leaf}.grad.sum().backward()",
    "{grad}.backward()",
    "t.autograd.backward([{grad}.sum()])",
    "grads = t.autograd.grad({grad}.sum(), [{grad}, {leaf}], allow_unused=True)",
    "grads = t.autograd.grad({grad}, [{leaf}], grad_outputs=t.ones_like({grad}))",
    "{grad}.sum().backward(inputs=[{leaf}])",
    # a training loop, as every course writes one
    "for step in range(3):\n    loss = ({leaf} * {leaf}).sum()\n    loss.backward()\n"
    "    with t.no_grad():\n        {leaf} -= 0.1 * {leaf}.grad\n    {leaf}.grad.zero_()",
    "{new}, = t.autograd.grad({grad}.sum(), [{input}], create_graph=True)\n"
    "{new}.sum().backward()",
]

# Statements torch usually refuses: an error program ends at one of them.
ERRORS = [
    "{new} = {x} + t.ones(5)", "{new} = {x} @ t.ones(7)", "{new} = {x}.view(7)",
    "{leaf}.add_(1)", "{leaf}[0] = 1.0", "{new} = {x}[::-1]", "{new} = {x} + [1.0]",
    "{new} = 1 - ({x} > 0)", "{new} = -({x} > 0)", "{x} += {x}[1]", "{new} = {x}.sum().sum(1)",
    "{new} = t.tensor([1, 2**63])", "{new} = t.tensor(2**70)", "{new} = t.tensor(['a', 'b'])",
    "{grad}.backward()", "{grad}.sum().backward([1.0, 1.0, 1.0])", "{new} = float({x})",
    "{grad}.exp().requires_grad = False", "{new} = t.tensor([1, 2]).requires_grad_()",
    "{new} = {x}.mm({x})", "{new} = t.cat([{x}, t.ones(7, 7)])", "{new} = {x}.sum(5)",
    "{new} = {x}[9]", "{new} = {x}.item()", "{new} = {grad}.numpy()",
    "{new} = t.tensor([1.0, 2.0], dtype=t.int64, requires_grad=True)",
    "{new} = {x}.exp()\n{new}.add_(1)\n{new}.sum().backward()",
    "{new} = t.mv({x}, {x})", "{new} = t.dot({x}, {x}.double())", "{new} = t.bmm({x}, {x})",
    "{new} = {x}.sum()\n{new}.backward()\n{new}.backward()",
    "{new} = {x}.long()\n{new} += 0.5", "{new} = {x}.long()\n{new}.mul_(1.5)",
    "{new} = {x} > 0\n{new}.add_(1)", "{new} = {x}.mm({x}.long())", "{new} = {x} @ {x}.int()",
    "{new} = {x}.int()\n{new}.requires_grad = True", "{new} = t.cat([{x}, {x}.bool()])",
    "{new} = {x}.long().exp()", "{new} = {x}.long().mean()", "{new} = {x}.long().norm()",
    "{new} = t.tensor([1.0, 2.0]).view(3)", "{new} = {x}.expand(1)", "{new} = {x}.permute(0)",
    "{new} = {x}.transpose(0, 3)", "{new} = {x}.squeeze(4)", "{new} = {x}.unsqueeze(5)",
]

# group: (weight, templates, what {x} must be, may it run under no_grad?)
GROUPS = {
    "leaf": (1, LEAVES, floating, False),
    "unary": (5, UNARY, floating, False),
    "reduce": (3, REDUCE, floating, False),
    "binary": (5, BINARY, floating, False),
    "whole numbers": (1, WHOLE_NUMBERS, whole_numbers, False),
    "masks": (1, MASKS, floating, False),
    "promotion": (2, PROMOTION, floating, True),
    "views": (5, VIEWS, has_dims, False),
    "in place": (4, INPLACE, floating, True),
    "autograd": (3, AUTOGRAD, floating, False),
    "bool views": (1, VIEWS, boolean, False),
}
