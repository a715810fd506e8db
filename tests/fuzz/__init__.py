"""A seeded random-program differential fuzzer: smallgrad against PyTorch.

Each program is Python source text written the way a student writes PyTorch code
(3-25 statements over named tensors). The very same text runs once with `t = torch`
and once with `t = smallgrad`; one observer records what a student could see in both
runs (values, dtypes, grads, flags, every node of the graph, versions, warnings, the
exception and the statement that raised it), and the two records must agree.

    generator.py   writes a program (the statements come from statements.py)
    observer.py    runs a program under one library and records what it shows
    compare.py     turns two records into a list of disagreements
    shrinker.py    cuts a disagreeing program down to a minimal one
    runner.py      generate, run, compare, shrink: a fuzzing session
    __main__.py    `python -m tests.fuzz --programs N --seed S`: a summary for humans
"""
