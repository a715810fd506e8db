"""A seeded random-program differential fuzzer: smallgrad against PyTorch.

Each program is Python source text written the way a student writes PyTorch code
(3-25 statements over named tensors). The very same text runs once with `t = torch`
and once with `t = smallgrad`; one observer records what a student could see in both
runs (values, dtypes, grads, flags, every node of the graph, versions, warnings, the
exception and the statement that raised it), and the two records must agree.

    generator.py   writes a program: leaves, statements, a finale (mostly a backward)
    statements.py  what a program may say: one-line templates, grouped (the op list)
    fill.py        fills a template's blanks ({x}, {d}, ...) from the program so far
    pool.py        the program so far, run by torch, which says what each name holds
    kinds.py       what kind of tensor a blank needs (floating, requires grad, ...)
    program.py     a program: its statements, as source text
    observer.py    runs a program under one library and records what it shows
    compare.py     turns two records into a list of disagreements
    known.py       the few the README lists (counted apart; anything else fails)
    replay.py      reruns a program under smallgrad on torch's bits: rounding made big?
    shrinker.py    cuts a disagreeing program down to a minimal one
    runner.py      generate, run, compare, shrink: a fuzzing session
    __main__.py    `python -m tests.fuzz --programs N --seed S`: a summary for humans

Torch decides what a program may do: the generator runs each new statement under torch
and drops it if torch refuses it (except in error programs, which end at such a
statement), so every program is one torch runs, or one that fails where torch fails.
tests/test_fuzz.py runs it in pytest; tests/test_fidelity_regressions.py uses its
observer and comparison for issue 9's minimal programs.
"""
