"""Benchmark: the production server (uvicorn, N workers) in front of a model with fixed latency.

Run by hand:  .venv/bin/python -m benchmarks.serve [--workers 4] [--database sqlite|postgres]
              [--quick]

Stands up the test suite's fake OpenAI server in this process (fixed first-token latency and
token rate), a fresh database, and the production server exactly as ``make serve`` starts it,
then loads it from here over 127.0.0.1 only. Every figure is given against a baseline measured
in the same run: chat latency against the same request sent straight to the model, time to
first token against the model's own, memory against the server at startup, a turn in a
5,000-message conversation against one in a 5-message one. Prints a table and one JSON line.
A missed target is printed as missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from benchmarks import serve_inprocess
from benchmarks.offline import percentiles
from benchmarks.serve_load import CROWD, STAMPEDE, Failed, HttpResults, Samples, measure_http
from benchmarks.serve_stack import (
    CHUNK_CHARS,
    UNREACHABLE_LIMITS,
    BenchModel,
    ProductionServer,
    fresh_database,
    manage,
    server_env,
)

FIRST_TOKEN_LATENCY = 0.25  # seconds
TOKEN_INTERVAL = 0.01  # seconds between chunks
WRITERS = 50  # concurrent SQLite writer threads


@dataclass(frozen=True)
class Plan:
    solo_turns: int  # timed turns for 1 user, each also sent straight to the model
    crowd_turns: int  # timed turns per user, CROWD users
    stream_rounds: int  # timed streams per user, CROWD users
    history_turns: int
    writer_turns: int  # per writer thread
    offline_rounds: int


FULL = Plan(
    solo_turns=40,
    crowd_turns=6,
    stream_rounds=4,
    history_turns=50,
    writer_turns=5,
    offline_rounds=100,
)
QUICK = Plan(
    solo_turns=10,
    crowd_turns=2,
    stream_rounds=2,
    history_turns=15,
    writer_turns=2,
    offline_rounds=20,
)


# --- The table -------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "target": self.target or None,
            "met": self.met,
            "note": self.note or None,
        }


def _ms(seconds: list[float]) -> tuple[float | None, float | None]:
    if not seconds:
        return None, None
    p50, p99 = percentiles(seconds)
    return p50 * 1000, p99 * 1000


def _ratio_at_most(name, value, baseline, limit, unit="ms") -> Figure:
    met = None if value is None or not baseline else value / baseline <= limit
    return Figure(name, value, unit, baseline, f"ratio <= {limit:g}", met)


def _info(name, value, baseline=None, unit="ms", note="") -> Figure:
    return Figure(name, value, unit, baseline, note=note)


def http_figures(results: HttpResults, idle_kb: int) -> list[Figure]:
    solo_app, solo_model = _ms(results.solo_app.total), _ms(results.solo_model.total)
    crowd_app, crowd_model = _ms(results.crowd_app.total), _ms(results.crowd_model.total)
    ttft_app, ttft_model = (
        _ms(results.streams_app.first_token),
        _ms(results.streams_model.first_token),
    )
    stampede_ttft = _ms(results.stampede_app.first_token), _ms(results.stampede_model.first_token)
    stampede_total = _ms(results.stampede_app.total), _ms(results.stampede_model.total)
    errors = {
        "warm-up": results.warmup_errors,
        "1 user": results.solo_app.errors,
        f"{CROWD} users": results.crowd_app.errors,
        f"{CROWD} streams": results.streams_app.errors,
        "straight to the model": results.solo_model.errors
        + results.crowd_model.errors
        + results.streams_model.errors
        + results.stampede_model.errors,
    }
    first_error = next((found[0][:160] for found in errors.values() if found), "")
    ttft_met = None
    if ttft_app[0] is not None and ttft_model[0] is not None:
        ttft_met = ttft_app[0] <= ttft_model[0] + 20
    stampede_errors = len(results.stampede_app.errors)
    meta = _ms(results.streams_app.meta)
    return [
        _ratio_at_most("chat p50, 1 user", solo_app[0], solo_model[0], 1.05),
        _info("chat p99, 1 user", solo_app[1], solo_model[1]),
        _info(f"chat p50, {CROWD} users", crowd_app[0], crowd_model[0]),
        _ratio_at_most(f"chat p99, {CROWD} users", crowd_app[1], crowd_model[1], 1.25),
        Figure(
            f"first token p50, {CROWD} streams",
            ttft_app[0],
            "ms",
            ttft_model[0],
            "<= model + 20 ms",
            ttft_met,
        ),
        _info(f"first token p99, {CROWD} streams", ttft_app[1], ttft_model[1]),
        _info(
            f"first event (meta) p50, {CROWD} streams",
            meta[0],
            note=f"p99 {meta[1] or 0:.0f} ms; sent before the model is asked",
        ),
        _info(
            "server CPU per chat turn, 1 user",
            results.cpu["solo"].server_ms_per_turn,
            note=results.cpu["solo"].busy(),
        ),
        _info(
            f"server CPU per chat turn, {CROWD} users",
            results.cpu["chat"].server_ms_per_turn,
            note=results.cpu["chat"].busy(),
        ),
        _info(
            f"server CPU per streamed turn, {CROWD} streams",
            results.cpu["stream"].server_ms_per_turn,
            note=results.cpu["stream"].busy(),
        ),
        Figure(
            f"errors, {STAMPEDE} simultaneous streams",
            stampede_errors,
            "",
            target="0",
            met=stampede_errors == 0,
            note=f"{len(results.stampede_app.total)} completed " + _first(results.stampede_app),
        ),
        _info(f"first token p50, {STAMPEDE} streams", stampede_ttft[0][0], stampede_ttft[1][0]),
        _info(f"whole answer p99, {STAMPEDE} streams", stampede_total[0][1], stampede_total[1][1]),
        _info(
            f"peak memory, {results.processes} processes",
            results.peak_kb / 1024,
            idle_kb / 1024,
            "MiB",
            note="sum of VmHWM; baseline: at startup",
        ),
        Figure(
            "errors, other load phases",
            sum(len(found) for found in errors.values()),
            "",
            target="0",
            met=not any(errors.values()),
            note=", ".join(f"{k}: {len(v)}" for k, v in errors.items() if v) + f" {first_error}",
        ),
    ]


def _first(samples: Samples) -> str:
    return samples.errors[0][:120] if samples.errors else ""


def inprocess_figures(database_kind: str, plan: Plan) -> list[Figure]:
    figures = []
    history = serve_inprocess.history_scaling(plan.history_turns)
    large, small = _ms(history.large_seconds)[0], _ms(history.small_seconds)[0]
    figures.append(
        _ratio_at_most(
            f"turn p50, {history.large:,} vs {history.small} messages", large, small, 1.2
        )
    )
    figures.append(
        Figure(
            f"SQL queries per turn, {history.large:,} vs {history.small}",
            history.large_queries,
            "",
            history.small_queries,
            "equal",
            history.large_queries == history.small_queries,
        )
    )
    for row in serve_inprocess.offline_answers(plan.offline_rounds):
        figures.append(
            Figure(
                f"offline answer p99, {row['kind']}",
                row["p99_ms"],
                "ms",
                row["base_p99"],
                "< 50 ms",
                row["p99_ms"] < 50,
                note=f"p50 {row['p50_ms']:.2f} ms; baseline: rendering it",
            )
        )
    if database_kind != "sqlite":
        figures.append(
            Figure(f"SQLite turns/s, {WRITERS} writers", None, "", note="skipped: PostgreSQL run")
        )
        return figures
    writers = serve_inprocess.sqlite_writers(WRITERS, plan.writer_turns, WRITERS)
    figures.append(
        _info(
            f"SQLite turns/s, {WRITERS} writers",
            writers.turns / writers.seconds,
            writers.sequential_turns / writers.sequential_seconds,
            "/s",
            note=f"{writers.turns} turns; baseline: one thread",
        )
    )
    figures.append(
        Figure(
            "SQLite 'database is locked' errors",
            writers.locked,
            "",
            target="0",
            met=writers.locked == 0 and not writers.other_errors,
            note=f"other errors: {len(writers.other_errors)} "
            + "; ".join(writers.other_errors[:2]),
        )
    )
    return figures


def _cell(number: float | None, unit: str) -> str:
    if number is None:
        return "-"
    if unit == "" and float(number).is_integer():
        return f"{int(number)}"
    return f"{number:.1f} {unit}".strip()


def print_table(figures: list[Figure]) -> None:
    print(f"{'figure':<42}{'value':>12}{'baseline':>12}{'ratio':>8}  {'target':<18}{'met?':<6}")
    for figure in figures:
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}x"
        met = {True: "yes", False: "MISSED", None: ""}[figure.met]
        print(
            f"{figure.name:<42}{_cell(figure.value, figure.unit):>12}"
            f"{_cell(figure.baseline, figure.unit):>12}{ratio:>8}  {figure.target or '-':<18}"
            f"{met:<6} {figure.note}".rstrip()
        )


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")


def _print_log_summary(log: str) -> None:
    if log.strip():
        print("server log, distinct unindented lines (tracebacks folded):")
        for line, count in _log_summary(log):
            print(f"  {count:>5} x {line[:200]}")


def _log_summary(log: str) -> list[tuple[str, int]]:
    """Each distinct unindented line of the server's log, with how often it appears: the
    messages and exception lines, without the frames of every traceback."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if line.strip() and not line[0].isspace():
            line = _TIMESTAMP.sub("", line)
            counts[line] = counts.get(line, 0) + 1
    return list(counts.items())[:20]


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


# --- Main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="uvicorn worker processes")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="fewer turns: under a minute")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    command = "python -m benchmarks.serve " + " ".join(sys.argv[1:] if argv is None else argv)
    started = time.monotonic()
    load_at_start = os.getloadavg()
    signal.signal(signal.SIGTERM, _interrupt)  # clean up the server as on Ctrl-C

    model = BenchModel(first_token_latency=FIRST_TOKEN_LATENCY, token_interval=TOKEN_INTERVAL)
    model.start()
    database = fresh_database(args.database)
    server = None
    try:
        env = server_env(database, model.base_url)
        manage(["migrate", "--noinput"], env)
        token = manage(["create_api_token", "bench", "--create-user"], env).split()[-1]
        server = ProductionServer(
            workers=args.workers, env=env, log_path=database.workdir / "server.log"
        )
        print(f"# {command.strip()}")
        print(
            f"# model: fake OpenAI at {model.base_url}, first token "
            f"{FIRST_TOKEN_LATENCY * 1000:.0f} ms, then {model.answer_chunks} chunks of "
            f"{CHUNK_CHARS} characters {TOKEN_INTERVAL * 1000:.0f} ms apart"
        )
        print(f"# server: {' '.join(server.command)}")
        print(
            f"# database: {args.database} ({database.url}); raised out of reach: "
            + ", ".join(f"{name}={value}" for name, value in UNREACHABLE_LIMITS.items())
            + " (server), CHAT_MAX_TURNS_PER_CONVERSATION="
            + f"{serve_inprocess.UNREACHABLE_CONVERSATION_CAP} (in-process history figure)"
        )
        server.start()
        idle_kb, _ = server.memory_high_water_kb()
        results = asyncio.run(
            measure_http(
                server,
                token,
                model,
                solo_turns=plan.solo_turns,
                crowd_turns=plan.crowd_turns,
                stream_rounds=plan.stream_rounds,
            )
        )
        server.stop()
        figures = http_figures(results, idle_kb)
        serve_inprocess.setup_django(database.url, database.redis_url)
        figures += inprocess_figures(args.database, plan)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (Failed, RuntimeError) as exc:
        # The app could not serve the load at all (say a broken working tree): say so plainly.
        print(f"benchmark aborted: {exc}", file=sys.stderr)
        _print_log_summary(server.log_tail(2000) if server else "")
        return 1
    finally:
        log = server.log_tail(2000) if server else ""
        if server:
            server.stop()
        model.stop()
        if "django" in sys.modules:
            serve_inprocess.close_connections()
        database.drop()

    print_table(figures)
    print(
        "baselines: the same request straight to the fake model at the same concurrency; memory "
        "at startup; a 5-message conversation; rendering the answer; one SQLite writer"
    )
    _print_log_summary(log)
    missed = [figure.name for figure in figures if figure.met is False]
    load = os.getloadavg()
    print(
        f"{len(missed)} target(s) missed; {time.monotonic() - started:.0f} s in all; load average "
        f"{load_at_start[0]:.1f} at start, {load[0]:.1f} at end ({os.cpu_count()} CPUs)"
    )
    report = {
        "benchmark": "serve",
        "command": command.strip(),
        "workers": args.workers,
        "database": args.database,
        "quick": args.quick,
        "load_average": [round(load_at_start[0], 2), round(load[0], 2)],
        "cpus": os.cpu_count(),
        "model": {
            "first_token_latency_ms": FIRST_TOKEN_LATENCY * 1000,
            "token_interval_ms": TOKEN_INTERVAL * 1000,
            "chunks": model.answer_chunks,
        },
        "figures": [figure.as_dict() for figure in figures],
        "missed": missed,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
