"""Quiz mode for BackwardStepper: ask before an edge's gradient is first shown.

The questions and the checking are the quiz model's (widgets/quiz.py: question(step) and
check(step, text) -> Verdict with .right and .message). This file only keeps, per step,
whether a question is waiting, and what the verdict was, so that the stepper, its card
and the page agree, and the whole thing can be driven from Python without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import text


@dataclass
class Asked:
    prompt: str
    pending: bool = True  # no answer yet, and not revealed
    verdict: object = None  # what check() said (.right, .message); None if revealed unanswered
    answer: str = ""


class Quizzer:
    def __init__(self, quiz) -> None:
        self.quiz = quiz  # anything with question(step) and check(step, text)
        self.asked: dict[int, Asked] = {}  # step number -> its question

    def arrive(self, position: int, edge) -> None:
        """The stepper shows step `position` (with EdgeStep `edge`): ask, the first time."""
        if edge is None or position in self.asked:
            return
        prompt = self.quiz.question(edge)
        if prompt:
            self.asked[position] = Asked(str(prompt))

    def waiting(self, position: int) -> Asked | None:
        asked = self.asked.get(position)
        return asked if asked is not None and asked.pending else None

    def answer(self, position: int, edge, text: str):
        asked = self.waiting(position)
        if asked is None:
            raise RuntimeError(f"no question is waiting at step {position}: "
                               "answer() comes after the stepper asks (see .question)")
        asked.verdict = self.quiz.check(edge, text)
        asked.answer = text.strip()
        asked.pending = False
        return asked.verdict

    def reveal(self, position: int) -> None:
        asked = self.waiting(position)
        if asked is not None:
            asked.pending = False

    def reveal_all(self) -> None:
        for asked in self.asked.values():
            asked.pending = False

    def page_state(self, position: int) -> dict | None:
        asked = self.asked.get(position)
        if asked is None:
            return None
        verdict = asked.verdict
        return {"prompt": asked.prompt, "pending": asked.pending,
                "verdict": None if verdict is None else
                {"right": bool(verdict.right), "message": str(verdict.message)}}

    def card_lines(self, position: int) -> list[str]:
        """What the card says about this step's question (after the header line)."""
        asked = self.asked.get(position)
        if asked is None:
            return []
        if asked.pending:
            return ["", text("quiz.question", prompt=asked.prompt), text("quiz.pending")]
        if asked.verdict is None:
            return ["", text("quiz.question", prompt=asked.prompt), text("quiz.revealed")]
        mark = "✔" if asked.verdict.right else "✘"
        return ["", text("quiz.question", prompt=asked.prompt),
                text("quiz.your_answer", answer=asked.answer, mark=mark,
                     message=asked.verdict.message)]
