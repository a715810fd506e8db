"""`python -m tests.fuzz --programs N --seed S`: which classes of programs disagree?

Prints each class of disagreement (silently different numbers first, then by how common)
with one minimal program. With
`--only SEED-INDEX` it runs just that program (as named in a report) and shrinks it;
with `--findings FILE` it also puts the summary at the top of FILE (newest run first).
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import sys
import time

import torch

import smallgrad

from .generator import generate
from .runner import Finding, Session, disagreements, fuzz, minimize


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--programs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", help="one program, e.g. 0-17 (seed 0, program 17)")
    parser.add_argument("--per-class", type=int, default=1, help="programs shrunk per class")
    parser.add_argument("--findings", type=pathlib.Path, help="prepend the summary to this file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.only:
        session = one_program(args.only)
    else:
        session = fuzz(args.programs, args.seed, torch, smallgrad, args.per_class)
    text = summary(session, args, time.perf_counter() - started)
    print(text)
    if args.findings:
        write_findings(args.findings, text)
    return 1 if session.findings else 0


def write_findings(path: pathlib.Path, text: str) -> None:
    """The newest run in full at the top; of the older ones, only their headlines."""
    old = path.read_text() if path.exists() else ""
    headlines = [line for line in old.splitlines() if line.startswith("## ")]
    history = "\n".join(["", "## Earlier runs", *(f"-{line[2:]}" for line in headlines)])
    path.write_text(text + "\n" + history + "\n")


def one_program(seed: str) -> Session:
    session = Session(1)
    program = generate(torch, seed)
    for found in disagreements(program, torch, smallgrad).values():
        finding = Finding(program, found)
        minimize(finding, torch, smallgrad)
        session.findings.append(finding)
    return session


def summary(session: Session, args: argparse.Namespace, seconds: float) -> str:
    classes = session.classes()
    command = " ".join(["python -m tests.fuzz", *sys.argv[1:]]) if args.only is None else (
        f"python -m tests.fuzz --only {args.only}")
    lines = [f"## {datetime.datetime.now():%Y-%m-%d %H:%M} `{command}` (at "
             f"{git_head()}): {session.disagreeing_programs()} of {session.programs} programs "
             f"disagree, {len(classes)} classes, {seconds:.0f} s", ""]
    for (aspect, detail), findings in classes.items():
        lines.append(f"### {aspect}: {detail} ({len(findings)} programs)")
        lines += ["```", findings[0].report().rstrip(), "```", ""]
    return "\n".join(lines)


def git_head() -> str:
    import subprocess

    result = subprocess.run(["git", "log", "-1", "--format=%h %s"], capture_output=True,
                            text=True, cwd=pathlib.Path(__file__).parent)
    return result.stdout.strip()[:60] or "unknown"


if __name__ == "__main__":
    sys.exit(main())
