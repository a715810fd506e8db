"""The checkers answer in Chinese in the zh lessons, with the same verdicts.

The English sentences live where the checkers use them (lessons/_check/*.py); the zh table
(lessons/_check/messages_zh.py) maps each one, as a template with `{}` for its values, to
Chinese. This test reads every sentence a checker can say straight from the checkers'
source, so a new English sentence without a Chinese one fails here, and then runs the
checkers in Chinese to see that the translated verdict is the English one's twin.
"""

from __future__ import annotations

import ast
import re
import string
import sys
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
CHECK = LESSONS / "_check"
sys.path.insert(0, str(LESSONS))

import _check as check  # noqa: E402
from _check import messages  # noqa: E402
from _check.messages_zh import ZH  # noqa: E402

# _check/_core.py: the verdicts, say(), and the helpers that say a checker's sentence for it
SAYING = {"right", "wrong", "raised", "say", "answer_of", "student_code", "expect_dict",
          "library_of_function_class"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def templates(node: ast.AST, assigned: dict[str, list[ast.AST]]) -> list[str]:
    """Every sentence an expression can be, with `{}` where a value goes in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        pieces = [[""]]
        for part in node.values:
            pieces.append(templates(part, assigned) if isinstance(part, ast.Constant)
                          else ["{}"])
        results = [""]
        for options in pieces:
            results = [done + option for done in results for option in options]
        return results
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in templates(node.left, assigned)
                for b in templates(node.right, assigned)]
    if isinstance(node, ast.IfExp):
        return templates(node.body, assigned) + templates(node.orelse, assigned)
    if isinstance(node, ast.Dict):  # a table of hints, looked up below
        return [t for value in node.values for t in templates(value, assigned)]
    if isinstance(node, ast.Subscript):
        return templates(node.value, assigned)
    if isinstance(node, ast.Name) and node.id in assigned:
        return [t for value in assigned[node.id] for t in templates(value, assigned)]
    return []  # a value computed at run time: not a sentence


def english_sentences() -> dict[str, str]:
    """{template: where} for every sentence passed to right(), wrong(), raised(), say() or a helper.

    raised()'s first argument names what failed (`"grad_g(x)"`, `"running it"`): code stays
    as it is, words are translated.
    """
    found = {}
    for path in sorted(CHECK.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_level = {target.id: [node.value] for node in tree.body
                        if isinstance(node, ast.Assign) for target in node.targets
                        if isinstance(target, ast.Name)}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            assigned: dict[str, list[ast.AST]] = {k: list(v) for k, v in module_level.items()}
            for node in ast.walk(function):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, []).append(node.value)
            for node in ast.walk(function):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in SAYING):
                    for argument in node.args + [k.value for k in node.keywords]:
                        for template in templates(argument, assigned):
                            if template not in ("{}", ""):
                                found[template] = f"{path.name}:{node.lineno}"
    return found


ENGLISH = english_sentences()


def test_the_scan_finds_the_checkers_sentences():
    assert len(ENGLISH) > 100
    assert "✓ Right! {}" in ENGLISH  # the verdict frames of _core.py
    assert "give an answer for {} too." in ENGLISH  # an f-string of basics.py


@pytest.mark.parametrize("sentence", sorted(ENGLISH), ids=lambda s: s[:40])
def test_every_english_sentence_has_a_chinese_one(sentence):
    assert sentence in ZH, f"{ENGLISH[sentence]}: no zh translation of {sentence!r}"
    translation = ZH[sentence]
    words = re.search(r"[A-Za-z]+ [A-Za-z]+", sentence.replace("{}", ""))
    assert HAN.search(translation) or not words, f"not Chinese: {translation!r}"
    if "{}" in sentence:  # a template: the translation takes the same values
        holes = [name for _, name, _, _ in string.Formatter().parse(translation)
                 if name is not None]
        count = sentence.count("{}")
        assert holes == [""] * count or sorted(holes) == [str(k) for k in range(count)], \
            f"{translation!r} does not take the {count} value(s) of {sentence!r}"


@pytest.mark.parametrize("sentence", sorted(s for s in ENGLISH if "{}" in s),
                         ids=lambda s: s[:40])
def test_each_template_translates_its_own_sentences(sentence, chinese):
    """A sentence is matched by its own template, not by a looser one such as "{}."."""
    values = [f"<value {k}>" for k in range(sentence.count("{}"))]
    parts = sentence.split("{}")
    filled = parts[0] + "".join(value + part for value, part in zip(values, parts[1:]))
    assert messages.say(filled) == ZH[sentence].format(*values)


def test_the_zh_table_has_no_leftover_sentences():
    assert sorted(set(ZH) - set(ENGLISH)) == []


@pytest.fixture
def chinese():
    messages.set_language("zh")
    yield
    messages.set_language("en")


def test_a_verdict_in_chinese_keeps_its_values_and_pytorchs_words(chinese, capsys):
    check.check_leaves({"a": (True, True), "b": (False, True)})
    assert capsys.readouterr().out.strip() == "✗ 还不对：" + ZH[
        "give an answer for {} too."].format("c, d, e")
    check.check_derivative(lambda x: x.nosuchmethod())
    said = capsys.readouterr().out
    assert said.startswith("✗ 还不对：")
    assert "'Tensor' object has no attribute 'nosuchmethod'" in said  # Python's words, kept


def test_english_is_unchanged_and_the_default(capsys):
    assert messages.language() == "en"
    check.check_leaves({"a": (True, True), "b": (False, True)})
    assert capsys.readouterr().out == "✗ Not yet: give an answer for c, d, e too.\n"


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="no checker messages in 'xx'"):
        messages.set_language("xx")


def test_zh_lessons_checkers_answer_in_chinese():
    """lessons/zh/_check is what `from _check import ...` finds in a zh lesson."""
    import subprocess

    script = ("import _check\n_check.check_leaves({'a': (True, True)})\n"
              "_check.check_watched_weights(...)\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=LESSONS / "zh", text=True,
                         capture_output=True, check=True).stdout
    missing = ZH["give an answer for {} too."].format("b, c, d, e")
    unanswered = ZH["✎ Not answered yet: replace each ... with your answer, then run this cell "
                    "again."]
    assert out.splitlines() == ["✗ 还不对：" + missing, unanswered]
