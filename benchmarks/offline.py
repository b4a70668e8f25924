"""Benchmark: the embedded mechanic's latency for code, VIN, symptom and maintenance questions.

Run by hand:  .venv/bin/python -m benchmarks.offline [--rounds 200]

Prints a table and one JSON line. Each figure is also given as a ratio to a baseline measured in
the same process: rendering the same answer's Markdown to safe HTML, which every chat turn does
anyway, so "2.0x" means composing the answer costs twice what displaying it costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from chat.knowledge import answer, search_guides
from chat.rendering import render_markdown

QUESTIONS = {
    "code": [
        "My reader says P0420",
        "P0300 and P0171 on a 2012 Ford Focus",
        "what does U0100 mean",
        "P1456 on my Honda",
        "codes P0171, P0174, P0300, P0301, P0302",
    ],
    "vin": [
        "Decode 1HGCM82633A004352",
        "vin WVWZZZ1JZXW000001 what year is it",
        "5YJ3E1EA7KF317000",
    ],
    "symptom": [
        "grinding noise from the front wheels when braking",
        "car clicks but won't start",
        "white smoke out of the exhaust that smells sweet",
        "steering wheel shakes at 70 mph",
        "my brake pedal goes to the floor",
        "overheeting in trafic and the fan doesnt come on",
    ],
    "maintenance": ["what service is due?", "how often should I change brake fluid"],
}
VEHICLE = {"year": 2012, "make": "Honda", "model": "Civic", "mileage": 58000}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def measure(func, inputs: list[str], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        for text in inputs:
            started = time.perf_counter()
            func(text)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args(argv)

    answer("warm up P0420 1HGCM82633A004352 grinding brakes", vehicle=VEHICLE)  # load data once
    rows = []
    for kind, inputs in QUESTIONS.items():
        composed = [answer(text, vehicle=VEHICLE) for text in inputs]
        work = measure(lambda text: answer(text, vehicle=VEHICLE), inputs, args.rounds)
        base = measure(render_markdown, composed, args.rounds)
        p50, p99 = percentiles(work)
        b50, _ = percentiles(base)
        rows.append({"kind": kind, "p50_ms": p50, "p99_ms": p99, "ratio_p50": p50 / b50})
    searches = [text for inputs in QUESTIONS.values() for text in inputs]
    work = measure(search_guides, searches, args.rounds)
    base = measure(lambda text: text.lower().split(), searches, args.rounds)
    p50, p99 = percentiles(work)
    rows.append(
        {
            "kind": "guide search",
            "p50_ms": p50,
            "p99_ms": p99,
            "ratio_p50": p50 / percentiles(base)[0],
        }
    )

    command = "python -m benchmarks.offline " + " ".join(argv or sys.argv[1:])
    print(f"# {command.strip()}  ({args.rounds} rounds per question)")
    print(f"{'kind':<14}{'p50 ms':>10}{'p99 ms':>10}{'p50 / baseline':>16}")
    for row in rows:
        print(
            f"{row['kind']:<14}{row['p50_ms']:>10.3f}{row['p99_ms']:>10.3f}{row['ratio_p50']:>15.1f}x"
        )
    print("baseline: rendering the same answer to safe HTML (search: lower+split of the query)")
    worst = max(row["p99_ms"] for row in rows)
    print(json.dumps({"benchmark": "offline", "rows": rows, "worst_p99_ms": worst}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
