"""Time the same work in several engines, side by side in one run, and print a table.

    make bench            (or: .venv/bin/python bench/run.py [--quick])

Engines: NumPy with a hand-written gradient (the floor), PyTorch on one thread,
smallgrad, and MyGrad / micrograd where the workload fits them. Engines that are not
installed are skipped and say so. Every engine runs in each round, in turn, so a noisy
machine slows them alike; the table shows medians over rounds and ratios from this run.
The last results go to bench/results.md, which the README quotes.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # BLAS on one thread for everyone, before NumPy loads

import argparse  # noqa: E402
import datetime  # noqa: E402
import importlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402

ENGINES = {"numpy": "numpy", "torch": "torch", "smallgrad": "smallgrad",
           "mygrad": "mygrad", "micrograd": "micrograd.engine"}
# workload -> (iterations per round, rounds)
PLAN = {"tiny": (200, 9), "mlp": (10, 7), "deep": (1, 5)}
QUICK_PLAN = {"tiny": (20, 3), "mlp": (2, 3), "deep": (1, 2)}
RESULTS = Path(__file__).resolve().parent / "results.md"


def load_engines() -> dict:
    loaded = {}
    for name, module in ENGINES.items():
        try:
            loaded[name] = importlib.import_module(module)
        except ImportError:
            print(f"({name} is not installed: skipped)")
    if "torch" in loaded:
        loaded["torch"].set_num_threads(1)
    return loaded


def load_baseline(revision: str):
    """smallgrad as it was at a git revision, imported as its own package, so that a change
    can be timed against the code before it in the same run (interleaved, like the rest)."""
    import subprocess
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="smallgrad-baseline-"))
    repo = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(repo), "archive", revision, "smallgrad"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    (root / "smallgrad").rename(root / "smallgrad_baseline")
    sys.path.insert(0, str(root))
    return importlib.import_module("smallgrad_baseline")


def time_workload(workload: str, engines: dict, iterations: int, rounds: int) -> dict:
    """Seconds per iteration, median over rounds; or the error that stopped an engine."""
    runners, results = {}, {}
    for name, lib in engines.items():
        make = getattr(workloads, f"make_{workload}")
        try:
            runner = make(name, lib)
            if runner is not None:
                runner()  # warm up, and find out early if it fails
                runners[name] = runner
        except Exception as error:  # a competitor that can't do it is a result too
            results[name] = f"fails: {type(error).__name__}"
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(rounds):
        for name, runner in runners.items():
            start = time.perf_counter()
            for _ in range(iterations):
                runner()
            samples[name].append((time.perf_counter() - start) / iterations)
    results.update({name: statistics.median(s) for name, s in samples.items()})
    return results


def peak_memory(engine: str, lib) -> int:
    """Peak bytes NumPy allocates during one mlp step (tracemalloc sees NumPy, not torch)."""
    step = workloads.make_mlp(engine, lib)
    step()
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    step()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak


def widget_rows() -> list[str]:
    try:
        import widget_bench
    except ImportError:
        return ["| widget | (the widget benchmark is not written yet) | | |"]
    try:
        measured = widget_bench.run()
    except Exception as error:
        return [f"| widget | fails: {type(error).__name__}: {error} | | |"]
    m = measured
    return [
        f"| widget | lay out and render a {m['layout_nodes']}-node graph | "
        f"{fmt_time(m['layout_s'])} | |",
        f"| widget | one new stepper step ({m['steps']}-step graph) | {fmt_time(m['step_s'])} | |",
        f"| widget | one step back or replayed | {fmt_time(m['replay_s'])} | |",
        f"| widget | one step on a {m['big_steps']}-step graph (moves the drawn window) | "
        f"{fmt_time(m['step_big_s'])} | |",
    ]


def fmt_time(seconds) -> str:
    if isinstance(seconds, str):
        return seconds
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1e3:.1f} ms"


def ratio(value, base) -> str:
    if isinstance(value, str) or isinstance(base, str) or base is None:
        return ""
    return f"{value / base:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke test")
    parser.add_argument("--baseline", metavar="REV",
                        help="also time smallgrad as of git revision REV, side by side")
    args = parser.parse_args()
    engines = load_engines()
    if args.baseline:
        engines[f"smallgrad@{args.baseline}"] = load_baseline(args.baseline)
    plan = QUICK_PLAN if args.quick else PLAN

    lines = [
        f"Measured {datetime.date.today()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, NumPy {np.__version__}"
        + (f", torch {engines['torch'].__version__}" if "torch" in engines else "")
        + ". One BLAS thread everywhere; medians over rounds; ratios from this one run.",
        "",
        "| workload | engine | time per iteration | vs NumPy floor | vs PyTorch |",
        "|---|---|---|---|---|",
    ]
    for workload, (iterations, rounds) in plan.items():
        results = time_workload(workload, engines, iterations, rounds)
        floor, torch_time = results.get("numpy"), results.get("torch")
        for name in engines:
            if name in results:
                value = results[name]
                lines.append(f"| {workload} | {name} | {fmt_time(value)} | "
                             f"{ratio(value, floor)} | {ratio(value, torch_time)} |")
    lines += ["", "| memory | engine | peak during one mlp step | vs NumPy floor |",
              "|---|---|---|---|"]
    floor_peak = peak_memory("numpy", np)
    for name in ("numpy", "smallgrad"):
        if name in engines:
            peak = floor_peak if name == "numpy" else peak_memory(name, engines[name])
            lines.append(f"| mlp | {name} | {peak / 2**20:.2f} MiB | "
                         f"{peak / floor_peak:.2f}x |")
    lines += ["", "| widget | measure | time | |", "|---|---|---|---|", *widget_rows()]
    lines += ["", "Targets (issue 10): tiny <= 1.0x PyTorch, mlp <= 1.25x NumPy, "
                  "deep <= 12x NumPy, and ahead of MyGrad."]

    text = "\n".join(lines)
    print(text)
    if not args.quick and not args.baseline:  # a comparison run is not the quoted one
        RESULTS.write_text("# Benchmark results\n\n`make bench` wrote this.\n\n" + text + "\n")
        print(f"\n(saved to {RESULTS})")


if __name__ == "__main__":
    main()
