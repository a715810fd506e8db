"""检查器的中文句子：英文原句（`{}` 处是填进去的值）→ 中文。

Keys are the English sentences exactly as the checkers write them (lessons/_check/*.py);
tests/test_zh_checkers.py reads those from the source and fails on any missing here.
Values keep code, API names and numbers as they are; `{0}`, `{1}` may reorder the values.
"""

ZH: dict[str, str] = {
    # --- the verdicts' frames (_core.py)
    "✓ Right! {}": "✓ 对了！{}",
    "✗ Not yet: {}": "✗ 还不对：{}",
    "\n  Hint: {}": "\n  提示：{}",
    "✎ Not answered yet: replace each ... with your answer, then run this cell again.":
        "✎ 还没作答：把每个 ... 换成你的答案，再运行一次这个单元格。",
    "{} raised {}: {}": "{0} 抛出了 {1}：{2}",
    "pass the function itself: {}.": "请传入函数本身：{}。",
    # show_solution (__init__.py)
    "Solution {}": "解答 {}",
    "Worked solutions, for when you are stuck (try first!):":
        "卡住时可以看的详细解答（先自己试试！）：",
    "There is no exercise {}. Known: {}": "没有练习 {0}。已有的练习：{1}",
    # --- lesson 01
    'answers should be a dict, as in the cell: {"a": (True, True), ...}.':
        'answers 应该是一个字典，和单元格里一样：{"a": (True, True), ...}。',
    "give an answer for {} too.": "{} 也要给出答案。",
    "the answer for {} is {}; give two bools, (requires_grad, is_leaf), e.g. (True, False).":
        "{0} 的答案是 {1}；请给出两个布尔值 (requires_grad, is_leaf)，例如 (True, False)。",
    "a tensor with no grad_fn is a leaf: that includes every tensor autograd does not track.":
        "没有 grad_fn 的张量就是叶子节点：自动求导不跟踪的张量也都算。",
    "it was made by an operation that autograd recorded, so it has a grad_fn.":
        "它是由一个被自动求导记录下来的运算产生的，所以它有 grad_fn。",
    "requires_grad spreads: a result needs grads if any input needs them.":
        "requires_grad 会传播：只要有一个输入需要梯度，结果就需要梯度。",
    "nothing that went into it asked for gradients.": "参与计算它的东西里，没有一个要求梯度。",
    "requires_grad of {}.": "{} 的 requires_grad。",
    "is_leaf of {}.": "{} 的 is_leaf。",
    "Leaves are the tensors with no grad_fn: the ones you made, and results that autograd did "
    "not record (d).":
        "叶子节点就是没有 grad_fn 的张量：你亲手创建的，以及自动求导没有记录的运算结果（d）。",
    "w should be a tensor, but it is a {}.": "w 应该是一个张量，但它是 {}。",
    "t.zeros(2, 3) makes a tensor.": "t.zeros(2, 3) 可以创建一个张量。",
    "w has shape {}; the exercise asks for 2 rows and 3 columns.":
        "w 的形状是 {}；练习要求 2 行 3 列。",
    "w should be all zeros.": "w 应该全是零。",
    "autograd does not watch w yet.": "自动求导还没有跟踪 w。",
    "requires_grad=True when you create it, .requires_grad_() afterwards, or set the attribute: "
    "any of the three works.":
        "创建时用 requires_grad=True，创建后用 .requires_grad_()，或者直接设置属性：三种都行。",
    "w is not a leaf: it came out of an operation.": "w 不是叶子节点：它是某个运算的结果。",
    "create it directly, e.g. with t.zeros(...), and switch requires_grad on that very tensor.":
        "直接创建它，比如用 t.zeros(...)，然后在这个张量本身上打开 requires_grad。",
    "w is a leaf that requires grad: backward will fill w.grad.":
        "w 是要求梯度的叶子节点：反向传播会填好 w.grad。",
    # --- lesson 02
    "grad_g(x)": "grad_g(x)",
    "Your hand-written derivative matches autograd at 12 points.":
        "你手算的导数在 12 个点上都和自动求导一致。",
    "you have one of the two terms.": "你只写出了两项中的一项。",
    "product rule: (u·v)' = u'·v + u·v', with u = x³ and v = sin(x).":
        "乘积法则：(u·v)' = u'·v + u·v'，其中 u = x³，v = sin(x)。",
    "that differentiates both factors and multiplies: (u·v)' is not u'·v'.":
        "这是把两个因子各自求导再相乘：(u·v)' 不等于 u'·v'。",
    "product rule: (u·v)' = u'·v + u·v'.": "乘积法则：(u·v)' = u'·v + u·v'。",
    "at x = {} autograd says {}, yours gives {}.":
        "在 x = {0} 处，自动求导给出 {1}，你的结果是 {2}。",
    "grad_g(x) should give one number per element of x, shape {}.":
        "grad_g(x) 应该为 x 的每个元素给出一个数，形状为 {}。",
    "product rule: (u·v)' = u'·v + u·v'. What are u' and v' for u = x³, v = sin(x)?":
        "乘积法则：(u·v)' = u'·v + u·v'。对 u = x³、v = sin(x)，u' 和 v' 各是什么？",
    "Each backward adds 5 to every element: 5 + 5 + 5 = 15.":
        "每次反向传播都给每个元素加 5：5 + 5 + 5 = 15。",
    "the number is right, but x.grad has the shape of x.": "数对了，但 x.grad 的形状和 x 一样。",
    "give one value per element of x.": "x 的每个元素给一个值。",
    "that is the grad of one backward pass.": "这是一次反向传播的梯度。",
    "backward adds into .grad; it does not overwrite it.":
        "backward 是往 .grad 上加，而不是覆盖它。",
    "{} is not what x.grad holds.": "x.grad 里存的不是 {}。",
    "d(5x)/dx = 5 per element. What happens to .grad each time you call backward?":
        "d(5x)/dx 对每个元素都是 5。每调用一次 backward，.grad 会怎样？",
    "y.backward raised: {}": "y.backward 报错：{}",
    "the gradient must have the same shape as y: three numbers.":
        "gradient 必须和 y 形状相同：三个数。",
    "x.grad = 2 · gradient, so the gradient is x.grad / 2.":
        "x.grad = 2 · gradient，所以 gradient 是 x.grad / 2。",
    "with that gradient, x.grad becomes [2, 20, 200].":
        "用这个 gradient，x.grad 会变成 [2, 20, 200]。",
    "the chain rule multiplies your gradient by dy/dx = 2.":
        "链式法则会把你的 gradient 乘以 dy/dx = 2。",
    "with that gradient, x.grad becomes {}.": "用这个 gradient，x.grad 会变成 {}。",
    "x.grad[i] = gradient[i] · dy[i]/dx[i], and dy/dx = 2 here.":
        "x.grad[i] = gradient[i] · dy[i]/dx[i]，而这里 dy/dx = 2。",
    # --- lesson 03
    "dz/dw = dz/dy · dy/dw, and dy/dw for y = w·x is x, not w.":
        "dz/dw = dz/dy · dy/dw，而对 y = w·x，dy/dw 是 x，不是 w。",
    "dz/dx = dz/dy · dy/dx, and dy/dx for y = w·x is w.":
        "dz/dx = dz/dy · dy/dx，而对 y = w·x，dy/dx 是 w。",
    "dz/dy = 1 (z = y + b), then multiply by the local derivative.":
        "dz/dy = 1（z = y + b），再乘以局部导数。",
    "Each one is dz/dy = 1 times the local derivative of its own box.":
        "每一个都是 dz/dy = 1 乘以它自己那个方框的局部导数。",
    "for {}, path_to recursed forever.": "对 {}，path_to 无限递归了。",
    "stop at an AccumulateGrad node; its next_functions is empty.":
        "到 AccumulateGrad 节点就停下；它的 next_functions 是空的。",
    "path_to(…) for {}": "path_to(…)（{}）",
    "next_functions holds (node, input_number) pairs; node may be None.":
        "next_functions 里是 (node, input_number) 对；node 可能是 None。",
    "for {}, path_to returned {}; return a list of nodes.":
        "对 {0}，path_to 返回了 {1}；请返回一个节点列表。",
    "return the nodes themselves, not their names.": "请返回节点本身，而不是它们的名字。",
    "build the list from node objects; print [n.name() for n in path] to read it.":
        "用节点对象构成列表；想看名字，就打印 [n.name() for n in path]。",
    "for {}, the path should start at the node you were given.":
        "对 {}，路径应该从给你的那个节点开始。",
    "for {}, {} is not in the next_functions of {}.": "对 {0}，{1} 不在 {2} 的 next_functions 里。",
    "each step of the path follows one edge of next_functions.":
        "路径的每一步都沿着 next_functions 的一条边走。",
    "for {}, the path ends at {}, not at the leaf's AccumulateGrad.":
        "对 {0}，路径止于 {1}，而不是叶子节点的 AccumulateGrad。",
    "an AccumulateGrad node knows its leaf as .variable: compare with `is`.":
        "AccumulateGrad 节点通过 .variable 认得它的叶子节点：用 `is` 比较。",
    "Your path_to finds the leaf in six graphs: a search along next_functions.":
        "你的 path_to 在六张图里都找到了叶子节点：一次沿着 next_functions 的搜索。",
    # --- lesson 04
    "The add box passes its grad on unchanged; the mul box multiplies it by the *other* input.":
        "加法方框把梯度原样传下去；乘法方框把它乘以*另一个*输入。",
    "the edge into {}.": "通向 {} 的那条边。",
    "z = y + b: how much does z change when y grows by 1?": "z = y + b：y 增加 1 时，z 变化多少？",
    "z = y + b: how much does z change when b grows by 1?": "z = y + b：b 增加 1 时，z 变化多少？",
    "y = w·x: dy/dw is the other input. Which one, and what is its value?":
        "y = w·x：dy/dw 是另一个输入。是哪一个？它的值是多少？",
    "y = w·x: dy/dx is the other input. Which one, and what is its value?":
        "y = w·x：dy/dx 是另一个输入。是哪一个？它的值是多少？",
    "predictions should be a dict, as in the cell.": "predictions 应该是一个字典，和单元格里一样。",
    "give an answer for {}.": "请给出 {} 的答案。",
    "z = u + x: the add box passes the incoming grad (1) on unchanged.":
        "z = u + x：加法方框把传入的梯度（1）原样传下去。",
    "u = w·x, and dz/du = 1: the mul box multiplies 1 by w.":
        "u = w·x，且 dz/du = 1：乘法方框把 1 乘以 w。",
    "x is used twice, so its grad is the sum of what arrives on both edges.":
        "x 被用了两次，所以它的梯度是两条边上传来的梯度之和。",
    "u = w·x: the mul box multiplies dz/du = 1 by x.": "u = w·x：乘法方框把 dz/du = 1 乘以 x。",
    "When a tensor is used twice, the grads from both uses are added up: 1 + 2 = 3.":
        "一个张量被用了两次，两次使用传回的梯度相加：1 + 2 = 3。",
    # --- lesson 05
    "dz_dy(x)": "dz_dy(x)",
    "dz_dy(x) returned None.": "dz_dy(x) 返回了 None。",
    "y is not a leaf, so y.grad stays None unless you call y.retain_grad() before z.backward(); "
    "or use t.autograd.grad(z, y).":
        "y 不是叶子节点，所以除非在 z.backward() 之前调用 y.retain_grad()，否则 y.grad 一直是 "
        "None；也可以用 t.autograd.grad(z, y)。",
    "autograd.grad returns a tuple, one grad per input.":
        "autograd.grad 返回一个元组，每个输入一个梯度。",
    "take the element out: t.autograd.grad(z, y)[0].": "把元素取出来：t.autograd.grad(z, y)[0]。",
    "dz_dy(x) returned a {}; return a tensor.": "dz_dy(x) 返回了一个 {}；请返回张量。",
    "that is dz/dx, the grad of the leaf.": "这是 dz/dx，叶子节点的梯度。",
    "ask for the grad with respect to y: t.autograd.grad(z, y).":
        "要的是对 y 的梯度：t.autograd.grad(z, y)。",
    "for x = {}, dz/dy = {}; yours gives {}.": "对 x = {0}，dz/dy = {1}；你的结果是 {2}。",
    "z = Σ y², so dz/dy = 2y. Did you build y and z from the x you were given?":
        "z = Σ y²，所以 dz/dy = 2y。你是用传进来的 x 构建 y 和 z 的吗？",
    "dz/dy = 2y, for every x the checker tried.": "对检查器试过的每个 x，dz/dy = 2y。",
    "backward": "反向传播",
    "your hook changed the grad it was given, in place.": "你的钩子原地修改了传给它的梯度。",
    "a hook must not modify its argument (PyTorch's docs forbid it): return a new tensor, e.g. "
    "with grad.clamp(...) rather than grad.clamp_(...).":
        "钩子不能修改它的参数（PyTorch 的文档明令禁止）：请返回一个新张量，比如用 "
        "grad.clamp(...) 而不是 grad.clamp_(...)。",
    "the grad went through unchanged.": "梯度原封不动地过去了。",
    "a hook changes the grad by *returning* the new one.": "钩子是靠*返回*新梯度来修改梯度的。",
    "the grad {} came out as {}; clipped, it is {}.": "梯度 {0} 出来是 {1}；裁剪后应该是 {2}。",
    "clip means: below -1 becomes -1, above 1 becomes 1, the rest stays.":
        "裁剪的意思是：小于 -1 的变成 -1，大于 1 的变成 1，其余不变。",
    "Your hook returned a clipped copy: every x.grad came out between -1 and 1, and the grad it "
    "was given was left as it was.":
        "你的钩子返回了裁剪后的副本：每个 x.grad 都在 -1 和 1 之间，而传给它的梯度保持原样。",
    # --- lesson 06
    "Cube should be a class that subclasses t.autograd.Function.":
        "Cube 应该是一个继承 t.autograd.Function 的类。",
    "Cube.apply(x)": "Cube.apply(x)",
    "forward does not give x³.": "forward 给出的不是 x³。",
    "return x ** 3 (or x * x * x).": "返回 x ** 3（或 x * x * x）。",
    "forward must ctx.save_for_backward(x); backward reads ctx.saved_tensors.":
        "forward 必须调用 ctx.save_for_backward(x)；backward 从 ctx.saved_tensors 读取。",
    "gradcheck": "gradcheck",
    "gradcheck disagrees with your backward.": "gradcheck 和你的 backward 结果不一致。",
    "d(x³)/dx = 3x², and the chain rule multiplies it by grad_output.":
        "d(x³)/dx = 3x²，链式法则再把它乘以 grad_output。",
    "forward gives x³ and gradcheck agrees with your backward, on three inputs.":
        "forward 给出 x³，而且在三个输入上 gradcheck 都认同你的 backward。",
    "pass the class: check_sigmoid_fix(Sigmoid).": "请传入这个类：check_sigmoid_fix(Sigmoid)。",
    "running it": "运行它",
    "gradcheck still disagrees.": "gradcheck 仍然不认同。",
    "differentiate 1 / (1 + e⁻ˣ), then write the result with σ(x) itself: it becomes σ(x) times "
    "something simple. Backward has σ(x) already: the saved output.":
        "对 1 / (1 + e⁻ˣ) 求导，再用 σ(x) 本身表示结果：它会变成 σ(x) 乘以某个简单的式子。"
        "backward 手里已经有 σ(x) 了：就是保存的输出。",
    "σ'(x) = σ(x)·(1 − σ(x)), and backward can use the saved output for it.":
        "σ'(x) = σ(x)·(1 − σ(x))，backward 可以直接用保存的输出来算它。",
    # --- lesson 07
    "unbroadcast(grad of shape {}, {})": "unbroadcast（形状为 {0} 的 grad, {1}）",
    "from a grad of shape {} to an input of shape {}, yours has shape {}.":
        "从形状为 {0} 的梯度到形状为 {1} 的输入，你的结果形状是 {2}。",
    "sum away the leading dims the input lacks, then sum (keepdim=True) each dim where the input "
    "has size 1.":
        "先把输入没有的前导维度求和掉，再对输入大小为 1 的每个维度求和（keepdim=True）。",
    "unbroadcast should give a tensor of numbers; yours gives {}.":
        "unbroadcast 应该返回一个由数构成的张量；你的函数返回的是 {}。",
    "start from grad and sum it: the result is a tensor of the input's shape.":
        "从 grad 出发对它求和：结果是一个形状与输入相同的张量。",
    "from shape {} to {} the shape is right but the numbers are not.":
        "从形状 {0} 到 {1}，形状对了，但数不对。",
    "a broadcast input was used once per copy: its grad is the *sum* over the copies, not the "
    "mean or one copy.":
        "被广播的输入每份副本用了一次：它的梯度是所有副本的*和*，不是平均，也不是其中一份。",
    "unbroadcast sums each broadcast dim away, for all nine shape pairs.":
        "unbroadcast 把每个被广播的维度都求和掉了，九对形状全部正确。",
    "pass the class: check_unbroadcast_gradcheck(BroadcastMul).":
        "请传入这个类：check_unbroadcast_gradcheck(BroadcastMul)。",
    "BroadcastMul on shapes {} and {}": "形状为 {0} 和 {1} 的 BroadcastMul",
    "each grad must have the shape of its own input: unbroadcast it.":
        "每个梯度都必须和它自己的输入形状相同：对它做 unbroadcast。",
    "gradcheck fails for shapes {} · {}.": "对形状 {0} · {1}，gradcheck 不通过。",
    "grad_a = unbroadcast(grad · b, a.shape), and the same for b with a.":
        "grad_a = unbroadcast(grad · b, a.shape)，b 也一样，换成乘以 a。",
    "Your broadcasting multiply passes gradcheck for three pairs of shapes.":
        "你的广播乘法在三对形状上都通过了 gradcheck。",
    "MatMul should be a class that subclasses t.autograd.Function.":
        "MatMul 应该是一个继承 t.autograd.Function 的类。",
    "MatMul.apply(a, b)": "MatMul.apply(a, b)",
    "forward of a [{}, {}] times a [{}, {}] is not a @ b.":
        "[{0}, {1}] 乘以 [{2}, {3}] 的 forward 不是 a @ b。",
    "backward for a [{}, {}] @ [{}, {}]": "[{0}, {1}] @ [{2}, {3}] 的 backward",
    "G has the output's shape [{}, {}]; G @ bᵀ is [{}, {}], like a.":
        "G 的形状和输出相同，是 [{0}, {1}]；G @ bᵀ 是 [{2}, {3}]，和 a 一样。",
    "the grad for {} has shape {}; it must be {}, {}'s own shape.":
        "{0} 的梯度形状是 {1}；它必须是 {2}，即 {3} 自己的形状。",
    "grad_a = G @ bᵀ and grad_b = aᵀ @ G: check with the shapes.":
        "grad_a = G @ bᵀ，grad_b = aᵀ @ G：用形状检查一下。",
    "gradcheck fails for [{}, {}] @ [{}, {}], though the shapes fit.":
        "对 [{0}, {1}] @ [{2}, {3}]，形状虽然对得上，gradcheck 却不通过。",
    "grad_a = G @ bᵀ and grad_b = aᵀ @ G: which factor goes on which side?":
        "grad_a = G @ bᵀ，grad_b = aᵀ @ G：哪个因子放在哪一边？",
    "MatMul's backward is G @ bᵀ for a and aᵀ @ G for b: gradcheck agrees on four shapes.":
        "MatMul 的 backward 对 a 是 G @ bᵀ，对 b 是 aᵀ @ G：gradcheck 在四组形状上都认同。",
    # --- lesson 08
    "answer {} with \"ok\" or \"error\".": "请用 \"ok\" 或 \"error\" 回答 {}。",
    "snippet {}.": "代码段 {}。",
    "w is a leaf that requires grad, and grad mode is on.":
        "w 是要求梯度的叶子节点，而且梯度模式是开着的。",
    "under t.no_grad() autograd records nothing, so nothing can go stale.":
        "在 t.no_grad() 下自动求导什么都不记录，所以没有什么会过期。",
    "exp's backward uses exp's own output. What did add_ do to it?":
        "exp 的 backward 要用 exp 自己的输出。add_ 对它做了什么？",
    "the grad of y = w + 1 is 1 whatever the values are: add saves nothing.":
        "不管值是多少，y = w + 1 的梯度都是 1：加法什么都不保存。",
    "In-place changes fail only where they would corrupt a grad: on a leaf that requires grad, "
    "or on a tensor some node saved for backward.":
        "原地修改只在会破坏梯度的地方失败：要求梯度的叶"
        "子节点上，或者某个节点为反向传播保存的张量上。",
    "it raised: {}": "它报错了：{}",
    "change parameters inside `with t.no_grad():`, where autograd records nothing.":
        "在 `with t.no_grad():` 里修改参数，那里自动求导什么都不记录。",
    "sgd_step": "sgd_step",
    "the list now holds other tensors.": "列表里现在装的是别的张量了。",
    "update each tensor in place; the rest of the program holds them.":
        "请原地更新每个张量；程序的其余部分还握着它们。",
    "the parameters did not move, and the grads are cleared.": "参数没有动，梯度却被清零了。",
    "clear each grad *after* using it: once zeroed, p.grad says nothing about the slope.":
        "用完梯度*之后*再清零：一旦清零，p.grad 就不再告诉你任何关于斜率的信息。",
    "the parameters did not change.": "参数没有变。",
    "change each tensor in place: p -= lr * p.grad (or p.sub_(...)). p = p - lr * p.grad makes "
    "a new tensor and only rebinds the name p.":
        "请原地修改每个张量：p -= lr * p.grad（或 p.sub_(...)）。p = p - lr * p.grad 会造出"
        "一个新张量，只是让名字 p 指向了它。",
    "with lr = {}, a parameter went from {} to {}; expected {}.":
        "lr = {0} 时，一个参数从 {1} 变成了 {2}；应该是 {3}。",
    "that is uphill: step *against* the gradient.": "这是在往上坡走：要*逆着*梯度迈步。",
    "a step is p ← p − lr · p.grad, with the lr you were given.":
        "一步就是 p ← p − lr · p.grad，用给你的 lr。",
    "the parameters should stay leaves that require grad.": "参数应该保持为要求梯度的叶子节点。",
    "the grads are still there: the next backward would add to them.":
        "梯度还在：下一次反向传播会加到它们上面。",
    "p.grad.zero_() after the update (or p.grad = None).":
        "更新之后调用 p.grad.zero_()（或者 p.grad = None）。",
    "An in-place update under no_grad, then cleared grads: the loop of lesson 12.":
        "在 no_grad 下原地更新，再清零梯度：这就是第 12 课的循环。",
    # --- lesson 09
    "second_derivative for f(x) = {}": "对 f(x) = {} 的 second_derivative",
    "the first grad must itself be part of a graph: t.autograd.grad(y, x, create_graph=True).":
        "一阶梯度本身必须属于一张计算图：t.autograd.grad(y, x, create_graph=True)。",
    "autograd.grad returns a tuple: take its element [0].":
        "autograd.grad 返回一个元组：取它的第 [0] 个元素。",
    "for f(x) = {} at x = {}, d²f/dx² = {}; yours gives {}.":
        "对 f(x) = {0}，在 x = {1} 处 d²f/dx² = {2}；你的结果是 {3}。",
    "take the first grad with create_graph=True, then the grad of that.":
        "先用 create_graph=True 求一阶梯度，再对它求梯度。",
    "Your second_derivative works for x³, sin, x·eˣ and x⁴ − 2x at random points.":
        "你的 second_derivative 在随机点上对 x³、sin、x·eˣ 和 x⁴ − 2x 都正确。",
    "f(x), then backward": "f(x) 再反向传播",
    "z should still be y·x = x³ in value.": "z 的值应该仍然是 y·x = x³。",
    "detach() changes nothing about the value, only the graph.":
        "detach() 完全不改变值，只改变计算图。",
    "the grad flowed through y too: dz/dx = 3x².": "梯度也流过了 y：dz/dx = 3x²。",
    "use y.detach() in the product: the graph then sees y as a constant.":
        "在乘积里用 y.detach()：这样计算图就把 y 看作常量。",
    "x.grad = {}; with y constant, dz/dx = y = x².": "x.grad = {}；y 是常量时，dz/dx = y = x²。",
    "z = y·x with y detached: the grad sees only the x factor, dz/dx = y.":
        "z = y·x，其中 y 已被 detach：梯度只看到 x 这个因子，dz/dx = y。",
    # --- lesson 10
    "answers should be a dict, as in the cell.": "answers 应该是一个字典，和单元格里一样。",
    "answer {} with one of: {}.": "请用以下之一回答 {0}：{1}。",
    "symptom {}.": "症状 {}。",
    "backward() without a gradient needs one number to start from.":
        "不带 gradient 的 backward() 需要从一个数出发。",
    "the second pass needs tensors that the first pass already freed.":
        "第二次反向传播需要的张量，第一次已经释放了。",
    "the message names a version: something was changed in place after it was saved.":
        "信息里提到了版本号：某个东西在被保存之后又被原地修改了。",
    "NumPy cannot follow the graph, so PyTorch refuses to hand over a tracked tensor.":
        "NumPy 无法跟踪计算图，所以 PyTorch 拒绝交出被跟踪的张量。",
    "b never took part in computing the loss.": "b 根本没有参与损失的计算。",
    "Each message names its cause, once you know where to look.":
        "只要知道往哪里看，每条信息都说出了它的原因。",
    "backward still finds a saved tensor changed in place.":
        "反向传播仍然发现某个保存的张量被原地修改了。",
    "exp saves its output; write y = y + 1 instead of y += 1.":
        "exp 会保存它的输出；请写 y = y + 1，而不是 y += 1。",
    "loss_fn(x, w)": "loss_fn(x, w)",
    "the loss is {}; it should be {}.": "损失是 {0}；应该是 {1}。",
    "keep what the loss computes; change only how.": "损失算的东西不要变；只改变算法。",
    "the grad of w is not x·exp(x·w).": "w 的梯度不是 x·exp(x·w)。",
    "Same loss, no in-place change to exp's saved output: backward runs.":
        "损失不变，也不再原地修改 exp 保存的输出：反向传播能运行了。",
    # --- lesson 11
    "descend": "descend",
    "return a list with one loss per step ({} here), not {}{}.":
        "请返回一个每步一个损失的列表（这里是 {0} 个），而不是 {1}{2}。",
    "the list holds tensors. Each one keeps its whole graph alive.":
        "列表里装的是张量。每一个都让它的整张计算图一直活着。",
    "store loss.item(), a plain Python float.": "请存 loss.item()，一个普通的 Python 浮点数。",
    "every loss should be a Python float: loss.item().":
        "每个损失都应该是 Python 浮点数：loss.item()。",
    "with lr = {}, the losses should go {}…; yours go {}….":
        "lr = {0} 时，损失应该是 {1}……；你的是 {2}……。",
    "each step: loss = f(w), backward, w -= lr * w.grad under no_grad, then clear w.grad.":
        "每一步：loss = f(w)，反向传播，在 no_grad 下 w -= lr * w.grad，再清零 w.grad。",
    "the losses are right but w did not end where the steps lead.":
        "损失是对的，但 w 最后没有停在这些步子该到的地方。",
    "update w itself, in place.": "请原地更新 w 本身。",
    "Your loop descends, and logs plain floats that hold no graph.":
        "你的循环在下降，记录的是不握着计算图的普通浮点数。",
    "give one number.": "请给出一个数。",
    "w − 0.5 · 2(w − 3) = 3, from any start: one step lands on the minimum.":
        "w − 0.5 · 2(w − 3) = 3，不管从哪里出发：一步就落在最小值上。",
    "write one step, w − lr · 2(w − 3), and ask when it equals 3 whatever w is.":
        "写出一步 w − lr · 2(w − 3)，再问：什么时候不管 w 是多少它都等于 3？",
    "with lr = 1 the step is w − 2(w − 3) = 6 − w: it jumps to the mirror image and back, "
    "forever.":
        "lr = 1 时，一步是 w − 2(w − 3) = 6 − w：它跳到对称的位置，再跳回来，永无休止。",
    "with lr = {}, one step from w = 0 lands on {}, not 3.":
        "lr = {0} 时，从 w = 0 走一步落在 {1}，而不是 3。",
    # --- lesson 12
    "accuracy": "accuracy",
    "logits.argmax(dim=1) gives the predicted class of each row.":
        "logits.argmax(dim=1) 给出每一行的预测类别。",
    "return a Python float, not {}.": "请返回 Python 浮点数，而不是 {}。",
    "a one-element tensor becomes a float with .item().":
        "只有一个元素的张量，用 .item() 变成浮点数。",
    "that is the number of right answers, not the fraction.": "这是答对的个数，不是比例。",
    "take the mean, not the sum.": "取平均，不是求和。",
    "on {} random rows with {} classes, {} are right, so expect {}; yours gives {}.":
        "在 {0} 个随机行、{1} 个类别上，有 {2} 行是对的，所以应得 {3}；你的结果是 {4}。",
    "compare each row's predicted class with its label: (logits.argmax(dim=1) == labels), then "
    "the mean of that as floats.":
        "把每一行的预测类别和它的标签比较：(logits.argmax"
        "(dim=1) == labels)，再把它转成浮点数取平均。",
    "Your accuracy is right on four random batches, with 2 to 4 classes.":
        "你的 accuracy 在四个随机批次上都正确，类别数从 2 到 4。",
    "Each .grad becomes the sum of all the grads so far: every step follows that running sum, "
    "not the gradient at the current point.":
        "每个 .grad 都变成至今所有梯度之和：每一步沿着这个累计和走，而不是沿当前点的梯度。",
    "{}.": "{}。",
    "backward *adds* into .grad. What is in .grad after ten steps?":
        "backward 是往 .grad 上*加*。十步之后 .grad 里是什么？",
}
