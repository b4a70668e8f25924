"""The in-process half of ``benchmarks.serve``: chat turns called through ``chat.services`` with
the offline provider, against the same database the server used.

Call ``setup_django`` first; everything else imports Django lazily because of it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from benchmarks.offline import percentiles

QUESTION = "My reader shows P0420 on a 2012 Honda Civic, what should I check first?"
# A past exchange, repeated to seed long conversations.
SEED = [
    ("user", "The check engine light came on this morning and the idle feels rough."),
    (
        "assistant",
        "## Rough idle with the light on\n\n1. Read the stored codes.\n2. Check for vacuum "
        "leaks around the intake.\n3. Look at the spark plugs and coils.",
    ),
]
# A 5,000-message conversation holds 2,500 questions: beyond the default per-conversation cap.
# The cap stays on (its count still runs every turn) but out of reach.
UNREACHABLE_CONVERSATION_CAP = "1000000"


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "carrepair.settings"
    os.environ["DATABASE_URL"] = database_url
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
    os.environ["LOG_LEVEL"] = "WARNING"  # no line per turn
    os.environ["LLM_PROVIDER"] = "offline"
    os.environ["CHAT_MAX_TURNS_PER_CONVERSATION"] = UNREACHABLE_CONVERSATION_CAP
    import django

    django.setup()


def close_connections() -> None:
    from django.db import connections

    connections.close_all()


def _owner():
    from django.contrib.auth import get_user_model

    from chat.owners import Owner

    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:12]}")
    return Owner(user_id=user.pk)


# --- History scaling -------------------------------------------------------------------------


@dataclass
class HistoryResult:
    small: int
    large: int
    small_seconds: list[float]
    large_seconds: list[float]
    small_queries: int
    large_queries: int


def _seeded(owner, size: int):
    from chat.models import Conversation, Message

    conversation = Conversation.objects.create(**owner.fields(), title=f"{size} messages")
    Message.objects.bulk_create(
        [
            Message(conversation=conversation, role=role, content=content, html=content)
            for role, content in (SEED[index % 2] for index in range(size))
        ],
        batch_size=500,
    )
    _refresh_planner_statistics()
    return conversation


def _refresh_planner_statistics() -> None:
    """What autovacuum does for a live PostgreSQL database: without fresh statistics right after
    a bulk load, the planner sorts the whole conversation instead of reading the newest rows
    from the index."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE chat_message")


def _turn(owner, conversation, provider, *, count_queries: bool = False) -> tuple[float, int]:
    """One turn's seconds (and SQL queries when counted); its messages are then removed so the
    conversation keeps its size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chat import services
    from chat.models import Message

    captured = CaptureQueriesContext(connection) if count_queries else contextlib.nullcontext()
    with captured:
        started = time.perf_counter()
        result = services.conversation_reply(
            owner=owner, conversation_id=conversation.pk, text=QUESTION, provider=provider
        )
        elapsed = time.perf_counter() - started
    added = [result.question.pk, result.answer.pk, *(m.pk for m in result.tool_messages)]
    Message.objects.filter(pk__in=added).delete()
    return elapsed, len(captured) if count_queries else 0


def history_scaling(turns: int, small: int = 5, large: int = 5000) -> HistoryResult:
    """The same turn in a ``small`` and a ``large`` conversation, interleaved."""
    from chat.llm.offline import OfflineProvider

    provider = OfflineProvider()
    owner = _owner()
    short, long = _seeded(owner, small), _seeded(owner, large)
    # Counting makes Django keep every query: those turns are the warm-up, not timed.
    _, small_queries = _turn(owner, short, provider, count_queries=True)
    _, large_queries = _turn(owner, long, provider, count_queries=True)
    small_seconds, large_seconds = [], []
    for _ in range(turns):
        small_seconds.append(_turn(owner, short, provider)[0])
        large_seconds.append(_turn(owner, long, provider)[0])
    return HistoryResult(small, large, small_seconds, large_seconds, small_queries, large_queries)


# --- Concurrent SQLite writers ---------------------------------------------------------------


@dataclass
class WritersResult:
    writers: int
    turns: int
    seconds: float
    sequential_turns: int
    sequential_seconds: float
    locked: int = 0
    other_errors: list[str] = field(default_factory=list)


def sqlite_writers(writers: int, turns_each: int, sequential_turns: int) -> WritersResult:
    """``writers`` threads, each with its own connection and conversation, all starting at once;
    the baseline is the same kind of turn, one after another on one thread."""
    from django.db import OperationalError, connections

    from chat import services
    from chat.llm.offline import OfflineProvider

    provider = OfflineProvider()
    owners = [_owner() for _ in range(writers)]
    lock = threading.Lock()
    result = WritersResult(writers, 0, 0.0, sequential_turns, 0.0)

    conversation = None
    started = time.perf_counter()
    for _ in range(sequential_turns):
        reply = services.conversation_reply(
            owner=owners[0], conversation_id=conversation, text=QUESTION, provider=provider
        )
        conversation = reply.conversation.pk
    result.sequential_seconds = time.perf_counter() - started

    start_line = threading.Barrier(writers + 1)

    def writer(owner) -> None:
        conversation = None
        try:
            start_line.wait()
            for _ in range(turns_each):
                try:
                    reply = services.conversation_reply(
                        owner=owner, conversation_id=conversation, text=QUESTION, provider=provider
                    )
                except OperationalError as exc:
                    with lock:
                        if "locked" in str(exc):
                            result.locked += 1
                        else:
                            result.other_errors.append(repr(exc))
                    continue
                except Exception as exc:  # noqa: BLE001 - counted and reported, not hidden
                    with lock:
                        result.other_errors.append(repr(exc))
                    continue
                conversation = reply.conversation.pk
                with lock:
                    result.turns += 1
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=writers, thread_name_prefix="bench-writer") as pool:
        futures = [pool.submit(writer, owner) for owner in owners]
        start_line.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        result.seconds = time.perf_counter() - started
    return result


# --- Offline answers -------------------------------------------------------------------------


def offline_answers(rounds: int, kinds=("code", "vin", "symptom")) -> list[dict]:
    """benchmarks.offline's measurement for the kinds the serving issue names: p50/p99 of
    composing the answer, against rendering that answer to safe HTML."""
    from benchmarks.offline import QUESTIONS, VEHICLE, measure
    from chat.knowledge import answer
    from chat.rendering import render_markdown

    answer("warm up P0420 1HGCM82633A004352 grinding brakes", vehicle=VEHICLE)
    rows = []
    for kind in kinds:
        inputs = QUESTIONS[kind]
        composed = [answer(text, vehicle=VEHICLE) for text in inputs]
        p50, p99 = percentiles(measure(lambda text: answer(text, vehicle=VEHICLE), inputs, rounds))
        b50, b99 = percentiles(measure(render_markdown, composed, rounds))
        rows.append({"kind": kind, "p50_ms": p50, "p99_ms": p99, "base_p50": b50, "base_p99": b99})
    return rows
