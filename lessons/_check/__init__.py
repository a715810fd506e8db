"""Instant feedback for the lesson exercises.

Every exercise cell ends with a call such as `check_leaves(answers)`. The checker
prints one line that starts with

    ✓  right, with a sentence on why it is right
    ✗  not yet, with a hint that points at the idea (never at the answer)
    ✎  not answered yet: the cell still holds a `...` placeholder

and returns nothing, so the cell shows only that line. The solutions are in
`solutions.md`, next to this folder; `show_solution("02.1")` prints one of them.

The checkers work the same with `import smallgrad as t` and with `import torch as t`:
they take the library from your answer. Where you write a function, they run it on
several seeded random inputs and compare with a reference, so an answer that only fits
one case does not pass.

Teachers: `tests/test_lesson_checkers.py` tries each checker under both libraries with
right answers, the common wrong ones, and hard-coded ones, and runs every solution in
`solutions.md` through its checker.
"""

from __future__ import annotations

import re
from pathlib import Path

from .basics import (
    check_accumulated,
    check_chain_rule,
    check_derivative,
    check_gradient_argument,
    check_leaves,
    check_path_to,
    check_watched_weights,
)
from .functions import (
    check_cube,
    check_matmul,
    check_sigmoid_fix,
    check_unbroadcast,
    check_unbroadcast_gradcheck,
)
from .hooks import check_clip_hook, check_edge_predictions, check_fanout, check_intermediate_grad
from .messages import language, say, set_language
from .training import (
    check_accuracy,
    check_descend,
    check_detached_target,
    check_diagnosis,
    check_fixed_loss,
    check_forgot_zero,
    check_inplace_quiz,
    check_one_step_lr,
    check_second_derivative,
    check_sgd_step,
)

__all__ = [
    "check_accumulated", "check_accuracy", "check_chain_rule", "check_clip_hook",
    "check_cube", "check_derivative", "check_descend", "check_detached_target",
    "check_diagnosis", "check_edge_predictions", "check_fanout", "check_fixed_loss",
    "check_forgot_zero", "check_gradient_argument", "check_inplace_quiz",
    "check_intermediate_grad", "check_leaves", "check_matmul", "check_one_step_lr",
    "check_path_to", "check_second_derivative", "check_sgd_step", "check_sigmoid_fix",
    "check_unbroadcast", "check_unbroadcast_gradcheck", "check_watched_weights",
    "set_language", "show_solution",
]

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions.md"
SOLUTIONS_IN = {"zh": SOLUTIONS.parent / "zh" / "solutions.md"}  # other languages' solutions


def show_solution(exercise: str) -> None:
    """Print the worked solution of one exercise, e.g. show_solution("02.1").

    With a lesson number alone, e.g. show_solution("02"), list that lesson's exercises.
    """
    text = SOLUTIONS_IN.get(language(), SOLUTIONS).read_text(encoding="utf-8")
    titles = {}
    for section in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        title, _, body = section.partition("\n")
        key = title.split()[0]
        titles[key] = title.strip()
        if key == exercise:
            print(say("Solution {}").format(title.strip()) + f"\n\n{body.strip()}")
            return
    in_lesson = [title for key, title in titles.items() if key.split(".")[0] == exercise]
    if in_lesson:
        print(say("Worked solutions, for when you are stuck (try first!):"))
        for title in in_lesson:
            key = title.split()[0]
            print(f'  show_solution("{key}")  # {title[len(key):].strip()}')
        return
    print(say("There is no exercise {}. Known: {}").format(repr(exercise), ", ".join(titles)))
