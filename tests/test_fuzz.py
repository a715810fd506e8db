"""Random student programs must run as they do under PyTorch (issue 9); see tests/fuzz/.

SMALLGRAD_FUZZ_PROGRAMS sets how many programs (a few hundred by default, 10000 in CI),
SMALLGRAD_FUZZ_SEED which ones (fixed by default, so a failure reproduces). A failure
lists each class of disagreement with a minimal program that shows it.

The fuzzer itself is tested too: torch must agree with itself, and fake libraries that
are wrong on purpose (a multiplication off by 0.005%, a node with another name, an
exception of another class) must be caught, with a short program.
"""

from __future__ import annotations

import os
import types

import numpy as np
import pytest

import smallgrad
from tests.fuzz.compare import close, compare, same
from tests.fuzz.generator import generate
from tests.fuzz.known import known
from tests.fuzz.observer import Values, run
from tests.fuzz.program import Program
from tests.fuzz.runner import Finding, Session, disagreements, fuzz
from tests.fuzz.shrinker import shrink

PROGRAMS = int(os.environ.get("SMALLGRAD_FUZZ_PROGRAMS", "400"))
SEED = int(os.environ.get("SMALLGRAD_FUZZ_SEED", "0"))
SHOWN_CLASSES = 12
SELF_TEST_SEED = 0  # the wrong fakes are caught by these programs (checked, not hoped)


def test_random_programs_agree_with_torch(torch):
    """Every disagreement fails, except the few kinds the README lists as still different
    (tests/fuzz/known.py names each; they are counted and printed, never hidden)."""
    session = fuzz(PROGRAMS, SEED, torch, smallgrad, shrink_classes=SHOWN_CLASSES)
    explained: dict[str, int] = {}
    unknown = []
    for finding in session.findings:
        name = known(finding)
        if name is None:
            unknown.append(finding)
        else:
            explained[name] = explained.get(name, 0) + 1
    print(f"{session.programs} programs; known differences (README): {explained or 'none'}")
    if unknown:
        session.findings = unknown
        pytest.fail(failure_report(session), pytrace=False)


def failure_report(session: Session) -> str:
    classes = session.classes()
    lines = [f"{session.disagreeing_programs()} of {session.programs} random programs disagree "
             f"with torch, in {len(classes)} classes (the first {SHOWN_CLASSES} below).",
             f"Reproduce: python -m tests.fuzz --programs {session.programs} --seed {SEED}", ""]
    for (aspect, detail), findings in list(classes.items())[:SHOWN_CLASSES]:
        lines += [f"--- {aspect}: {detail} ({len(findings)} programs)", findings[0].report()]
    return "\n".join(lines)


# --- the fuzzer can fail ---------------------------------------------------------------------
class FakeTorch(types.ModuleType):
    """torch, except for the functions given: a library that is wrong on purpose."""

    def __init__(self, torch: types.ModuleType, **wrong) -> None:
        super().__init__("fake_torch")
        self._torch = torch
        self.__dict__.update(wrong)

    def __getattr__(self, name: str):
        return getattr(self._torch, name)


def slightly_wrong_mul(torch):
    """x * 2 gives x * 2.0001: the kind of silent wrong number the fuzzer exists to catch."""
    def mul(a, b):
        return torch.mul(a, b * 1.00005 if isinstance(b, (int, float)) else b)
    return FakeTorch(torch, mul=mul)


def sigmoid_by_hand(torch):
    """The same values, but the graph has other nodes than SigmoidBackward0."""
    return FakeTorch(torch, sigmoid=lambda x: 1 / (1 + torch.exp(-x)))


def mm_raising_type_error(torch):
    def mm(a, b):
        try:
            return torch.mm(a, b)
        except RuntimeError as error:
            raise TypeError(str(error)) from None
    return FakeTorch(torch, mm=mm)


def program(*statements: str) -> Program:
    return Program(statements)


def test_smallgrad_gives_the_same_answer_twice(torch):
    """Issue 9 saw outcomes that depend on memory addresses: the same program, run twice
    in one process, must show the same (checked here even where torch differs). Warnings
    aside: like torch, smallgrad gives some only once per process."""
    for index in range(100):
        program = generate(torch, f"{SEED}-{index}")
        first, again = run(program.statements, smallgrad), run(program.statements, smallgrad)
        differences = [difference for difference in compare(program.statements, first, again)
                       if difference.aspect != "warnings"]
        if differences:
            pytest.fail(f"two runs differ ('torch:' is smallgrad's first run): {differences[0]}"
                        f"\n{program.snippet()}", pytrace=False)


def test_torch_agrees_with_itself(torch):
    """No false alarms: the comparison is deterministic and its tolerances are right."""
    assert not fuzz(100, SEED + 1, torch, torch).findings


@pytest.mark.parametrize(("fake", "statements", "aspect"), [
    (slightly_wrong_mul, ("a = t.tensor([0.1, 1/3], requires_grad=True)", "b = t.mul(a, 2)"),
     "value"),
    (slightly_wrong_mul, ("a = t.tensor([0.1, 1/3], requires_grad=True)",
                          "t.mul(a, 2).sum().backward()"), "grad"),
    (sigmoid_by_hand, ("a = t.tensor([0.1, 1/3], requires_grad=True)", "b = t.sigmoid(a)"),
     "graph"),
    (mm_raising_type_error, ("a = t.ones(2, 3)", "b = t.mm(a, a)"), "exception class"),
])
def test_a_wrong_library_is_caught(torch, fake, statements, aspect):
    found = disagreements(program(*statements), torch, fake(torch))
    assert aspect in {found_aspect for found_aspect, _ in found}, found


def test_random_programs_catch_a_slightly_wrong_multiplication(torch):
    session = fuzz(100, SELF_TEST_SEED, torch, slightly_wrong_mul(torch))
    assert session.findings, "100 programs never noticed that t.mul(x, 2) is off by 0.005%"
    minimal = next(iter(session.classes().values()))[0].minimal  # a value class: the worst
    assert minimal is not None and "t.mul(" in minimal.source()
    assert len(minimal.statements) <= 3, minimal.snippet()


def test_random_programs_catch_a_wrong_node_name(torch):
    session = fuzz(100, SELF_TEST_SEED, torch, sigmoid_by_hand(torch), shrink_per_class=0)
    assert any(finding.disagreement.aspect in ("graph", "grad graph")
               for finding in session.findings)


def test_float64_values_are_compared_as_float64():
    exact = np.array([0.1, 1 / 3])
    through_float32 = exact.astype(np.float32).astype(np.float64)
    assert not close(exact, through_float32, "float64")
    assert close(exact.astype(np.float32), through_float32.astype(np.float32), "float32")
    assert not same(Values(exact, "float64"), Values(exact.astype(np.float32), "float32"))
    assert not same(0.1, float(np.float32(0.1)))  # .item() of a float64 0.1


def test_the_shrinker_keeps_only_what_the_disagreement_needs():
    statements = tuple(f"v{i} = {i}" for i in range(12)) + ("w = 1/3 + 0.7",)

    def needs_v3_and_v8(program):
        return "v3 = 3" in program.statements and "v8 = 8" in program.statements

    def needs_a_third(program):
        return any("/3" in statement for statement in program.statements)

    assert shrink(Program(statements), needs_v3_and_v8).statements == ("v3 = 3", "v8 = 8")
    assert shrink(Program(statements), needs_a_third).statements == ("w = 1/3 + 1.0",)


def test_a_program_splits_into_statements_as_python_reads_them():
    source = "a = t.ones(2)\nwith t.no_grad():\n    a += 1\n    a *= 2\nb = a.sum()\n"
    assert Program.from_source(source).statements == (
        "a = t.ones(2)", "with t.no_grad():\n    a += 1\n    a *= 2", "b = a.sum()")


def test_the_command_line_prints_each_class_with_a_program(torch, capsys):
    from tests.fuzz.__main__ import main

    status = main(["--programs", "20", "--seed", str(SEED)])
    printed = capsys.readouterr().out
    assert printed.startswith("## ") and "of 20 programs disagree" in printed
    assert status == (0 if " 0 of 20 programs" in printed else 1)
    assert status == 0 or "import torch as t" in printed


def test_the_shrinker_makes_tensor_literals_smaller():
    statements = ("a = t.tensor([[0.1, 2.0], [3.0, 4.0]], requires_grad=True)",)

    def needs_a_tensor(program):
        return "t.tensor(" in program.statements[0]

    assert shrink(Program(statements), needs_a_tensor).statements == ("a = t.tensor(1.0)",)


# --- rounding made big is told from a wrong op (known.rounding_made_big, replay.py) ---------
def exp_off_by(monkeypatch, torch, ulps: int) -> str:
    """smallgrad's exp, `ulps` float32 steps above torch's; returns torch's exp(0.3)."""
    exact = torch.exp(torch.tensor([0.3])).item()

    def exp(x):
        values = np.exp(x.detach().numpy().astype(np.float64)).astype(np.float32)
        for _ in range(ulps):
            values = np.nextafter(values, np.float32(np.inf))
        return smallgrad.tensor(values)

    monkeypatch.setattr(smallgrad, "exp", exp)
    return repr(exact)


@pytest.mark.parametrize(("ulps", "forgiven"), [(1, True), (300, False)])
def test_only_a_last_bit_made_whole_is_forgiven(torch, monkeypatch, ulps, forgiven):
    """One ulp in exp, turned into True/False by a comparison with torch's exact value:
    rounding made big. Three hundred ulps (2e-5, past the tolerance) are a wrong exp."""
    exact = exp_off_by(monkeypatch, torch, ulps)
    statements = ("a = t.tensor([0.3])", "e = t.exp(a)", f"above = (e > {exact}).all()")
    found = disagreements(program(*statements), torch, smallgrad)
    assert ("value", "bool") in found, found
    finding = Finding(program(*statements), found["value", "bool"])
    assert (known(finding) == "rounding_made_big") is forgiven
