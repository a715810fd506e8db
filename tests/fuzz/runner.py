"""A fuzzing session: generate programs, run each under torch and smallgrad, compare."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

from .compare import Disagreement, compare, first
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
    programs: int = 0
    findings: list[Finding] = field(default_factory=list)

    def classes(self) -> dict[tuple[str, str], list[Finding]]:
        """The findings by kind, most common kind first; the shortest program first."""
        grouped: dict[tuple[str, str], list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.disagreement.kind, []).append(finding)
        return dict(sorted(grouped.items(), key=lambda item: -len(item[1])))


def indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


def disagreement(program: Program, reference: ModuleType,
                 candidate: ModuleType) -> Disagreement | None:
    """The most important way `candidate` disagrees with `reference` on this program."""
    statements = program.statements
    return first(compare(statements, run(statements, reference), run(statements, candidate)))


def fuzz(programs: int, seed: int, reference: ModuleType, candidate: ModuleType,
         shrink_per_class: int = 1) -> Session:
    """Run `programs` programs; shrink the shortest `shrink_per_class` of each class."""
    session = Session(programs)
    for index in range(programs):
        program = generate(reference, f"{seed}-{index}")
        found = disagreement(program, reference, candidate)
        if found is not None:
            session.findings.append(Finding(program, found))
    session.findings.sort(key=lambda finding: len(finding.program.statements))
    for findings in session.classes().values():
        for finding in findings[:shrink_per_class]:
            minimize(finding, reference, candidate)
    return session


def minimize(finding: Finding, reference: ModuleType, candidate: ModuleType) -> None:
    kind = finding.disagreement.kind

    def still_disagrees(program: Program) -> bool:
        found = disagreement(program, reference, candidate)
        return found is not None and found.kind == kind

    finding.minimal = shrink(finding.program, still_disagrees)
    finding.minimal_disagreement = disagreement(finding.minimal, reference, candidate)
