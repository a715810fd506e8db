"""Widget timings: laying out a graph, and one step of BackwardStepper.

    .venv/bin/python bench/widget_bench.py        (bench/run.py calls run())

run() returns a dict of medians over several runs, in seconds:
    layout_s        model + DOT + Graphviz layout to SVG of a ~200-node graph (no cache)
    step_s          one stepper step on a lesson-sized graph (~40 nodes): pull the
                    engine's records, update the card, details, log and the <style>
    step_big_s      the same on the ~200-node graph (drawn in part: the window moves)
    replay_s        one step back then forward again over steps already seen
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

import smallgrad as t
from widgets import BackwardStepper, model, render


def make_graph(layers: int):
    """h = tanh(h * w_i + b_i), `layers` times: 8 forward-view nodes per layer."""
    rng = np.random.default_rng(0)
    h = t.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    for _ in range(layers):
        w = t.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
        b = t.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
        h = (h * w + b).tanh()
    return h.sum()


def time_layout(layers: int = 25, runs: int = 5) -> tuple[float, int]:
    times, nodes = [], 0
    for _ in range(runs):
        root = make_graph(layers)
        start = time.perf_counter()
        graph = model.build(root, names={})
        render.render_svg.__wrapped__(render.to_dot(graph, "b_"))  # no cache: a real layout
        times.append(time.perf_counter() - start)
        nodes = len(graph.nodes)
    return statistics.median(times), nodes


def time_steps(layers: int, runs: int = 5) -> tuple[float, float, int]:
    """(seconds per new step, seconds per replayed step, steps)."""
    per_step, per_replay, n = [], [], 0
    for _ in range(runs):
        stepper = BackwardStepper(make_graph(layers), names={})
        n = stepper.n_steps
        start = time.perf_counter()
        for _ in range(n):
            stepper.step()
        per_step.append((time.perf_counter() - start) / n)
        start = time.perf_counter()
        for _ in range(5):
            stepper.back()
            stepper.step()
        per_replay.append((time.perf_counter() - start) / 10)
    return statistics.median(per_step), statistics.median(per_replay), n


def run() -> dict:
    layout_s, nodes = time_layout()
    step_s, replay_s, steps = time_steps(5)
    step_big_s, _, big_steps = time_steps(25, runs=3)
    return {"layout_s": layout_s, "layout_nodes": nodes, "step_s": step_s, "steps": steps,
            "replay_s": replay_s, "step_big_s": step_big_s, "big_steps": big_steps}


if __name__ == "__main__":
    results = run()
    print(f"layout + render, {results['layout_nodes']}-node graph: "
          f"{results['layout_s'] * 1000:.0f} ms")
    print(f"stepper, per new step ({results['steps']} steps):  {results['step_s'] * 1000:.2f} ms")
    print(f"stepper, per replayed step:             {results['replay_s'] * 1000:.2f} ms")
    print(f"stepper, per step on the {results['layout_nodes']}-node graph "
          f"({results['big_steps']} steps): {results['step_big_s'] * 1000:.2f} ms")
