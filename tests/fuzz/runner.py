"""A fuzzing session: generate programs, run each under torch and smallgrad, compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from .compare import ASPECTS, Disagreement, compare
from .generator import generate
from .observer import run
from .program import Program
from .shrinker import shrink


@dataclass
class Finding:
    program: Program
    disagreement: Disagreement
    minimal: Program | None = None  # the shrunk program, once shrunk
    minimal_disagreement: Disagreement | None = None

    def report(self) -> str:
        program = self.minimal or self.program
        disagreement = self.minimal_disagreement or self.disagreement
        return (f"{disagreement}\n  program (seed {program.seed!r}, "
                f"{len(program.statements)} statements):\n"
                + indent(program.snippet()))


@dataclass
class Session:
    programs: int = 0  # how many were run
    findings: list[Finding] = field(default_factory=list)

    def disagreeing_programs(self) -> int:
        return len({finding.program.seed for finding in self.findings})

    def classes(self) -> dict[tuple[str, str], list[Finding]]:
        """The findings by kind, the worst aspect first (see compare.ASPECTS), then the
        most common; in each kind, the shortest program first."""
        grouped: dict[tuple[str, str], list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.disagreement.kind, []).append(finding)
        return dict(sorted(grouped.items(),
                           key=lambda item: (ASPECTS.index(item[0][0]), -len(item[1]))))


def indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


def disagreements(program: Program, reference: ModuleType,
                  candidate: ModuleType) -> dict[tuple[str, str], Disagreement]:
    """How `candidate` disagrees with `reference` on this program: the first place each
    kind of disagreement shows."""
    statements = program.statements
    found: dict[tuple[str, str], Disagreement] = {}
    for difference in compare(statements, run(statements, reference), run(statements, candidate)):
        found.setdefault(difference.kind, difference)
    return found


def fuzz(programs: int, seed: int, reference: ModuleType, candidate: ModuleType,
         shrink_per_class: int = 1, shrink_classes: int | None = None) -> Session:
    """Run `programs` programs; shrink the shortest `shrink_per_class` of each class (of
    the `shrink_classes` most common classes, or of all).

    A program that disagrees in several ways is a finding of each of those classes."""
    session = Session(programs)
    for index in range(programs):
        program = generate(reference, f"{seed}-{index}")
        for difference in disagreements(program, reference, candidate).values():
            session.findings.append(Finding(program, difference))
    session.findings.sort(key=lambda finding: len(finding.program.statements))
    for findings in list(session.classes().values())[:shrink_classes]:
        for finding in findings[:shrink_per_class]:
            minimize(finding, reference, candidate)
    return session


def minimize(finding: Finding, reference: ModuleType, candidate: ModuleType) -> None:
    kind = finding.disagreement.kind

    def still_disagrees(program: Program) -> bool:
        return kind in disagreements(program, reference, candidate)

    finding.minimal = shrink(finding.program, still_disagrees)
    # (a warning torch gives once per process may not show again: then keep the first)
    finding.minimal_disagreement = disagreements(finding.minimal, reference, candidate).get(
        kind, finding.disagreement)
