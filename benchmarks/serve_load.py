"""The load half of ``benchmarks.serve``: chat turns over HTTP from one asyncio process, to the
app and, for the baselines, the same requests straight to the model."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.serve_stack import BenchModel, ProductionServer

CROWD = 50  # concurrent users for the latency and time-to-first-token figures
STAMPEDE = 200  # simultaneous streaming conversations
MESSAGE = "My 2012 Honda Civic shows P0420 and idles a little rough. What should I check first?"


# --- One request -----------------------------------------------------------------------------


class Failed(Exception):
    """A request that did not end the way a client needs it to."""


@dataclass
class Timing:
    total: float
    first_token: float | None = None
    conversation_id: str | None = None
    meta: float | None = None  # a streamed turn's first event, sent before the model is asked


@dataclass
class Samples:
    total: list[float] = field(default_factory=list)
    first_token: list[float] = field(default_factory=list)
    meta: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, timing: Timing) -> None:
        self.total.append(timing.total)
        if timing.first_token is not None:
            self.first_token.append(timing.first_token)
        if timing.meta is not None:
            self.meta.append(timing.meta)

    def merge(self, other: Samples) -> Samples:
        self.total += other.total
        self.first_token += other.first_token
        self.meta += other.meta
        self.errors += other.errors
        return self


def _chat_body(conversation_id: str | None, *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"message": MESSAGE, "stream": stream}
    if conversation_id:
        body["conversation_id"] = conversation_id
    return body


async def app_turn(client: httpx.AsyncClient, conversation_id: str | None) -> Timing:
    started = time.perf_counter()
    response = await client.post("/api/chat", json=_chat_body(conversation_id, stream=False))
    total = time.perf_counter() - started
    if response.status_code != 200:
        raise Failed(f"chat {response.status_code}: {response.text[:200]}")
    return Timing(total, conversation_id=response.json()["conversation_id"])


async def app_stream(client: httpx.AsyncClient, conversation_id: str | None) -> Timing:
    """A streamed turn: until the first ``event: delta``, and until ``event: done``."""
    started = time.perf_counter()
    first_token = meta = None
    outcome = ""
    next_data_is_meta = False
    async with client.stream(
        "POST", "/api/chat", json=_chat_body(conversation_id, stream=True)
    ) as response:
        if response.status_code != 200:
            await response.aread()
            raise Failed(f"stream {response.status_code}: {response.text[:200]}")
        async for line in response.aiter_lines():
            if line == "event: delta" and first_token is None:
                first_token = time.perf_counter() - started
            elif line in ("event: done", "event: error"):
                outcome = line
            elif line == "event: meta":
                meta = time.perf_counter() - started
                next_data_is_meta = True
            elif next_data_is_meta and line.startswith("data: "):
                conversation_id = json.loads(line[6:])["conversation_id"]
                next_data_is_meta = False
    total = time.perf_counter() - started
    if outcome != "event: done" or first_token is None:
        raise Failed(f"stream ended with {outcome or 'no final event'}")
    return Timing(total, first_token, conversation_id, meta)


async def model_turn(client: httpx.AsyncClient, body: dict[str, Any]) -> Timing:
    started = time.perf_counter()
    response = await client.post("/chat/completions", json=body)
    total = time.perf_counter() - started
    if response.status_code != 200:
        raise Failed(f"model {response.status_code}")
    return Timing(total)


async def model_stream(client: httpx.AsyncClient, body: dict[str, Any]) -> Timing:
    """Straight from the model: until the first chunk with content, and until [DONE]."""
    started = time.perf_counter()
    first_token = None
    done = False
    async with client.stream("POST", "/chat/completions", json=body) as response:
        async for line in response.aiter_lines():
            if line == "data: [DONE]":
                done = True
            elif first_token is None and line.startswith("data: "):
                choices = json.loads(line[6:]).get("choices") or [{}]
                if choices[0].get("delta", {}).get("content"):
                    first_token = time.perf_counter() - started
    total = time.perf_counter() - started
    if not done or first_token is None:
        raise Failed("model stream cut short")
    return Timing(total, first_token)


# --- Users -----------------------------------------------------------------------------------


async def app_user(client: httpx.AsyncClient, turns: int, *, stream: bool) -> Samples:
    """One user in their own conversation; the first turn creates it and is not timed."""
    samples = Samples()
    conversation_id = None
    send = app_stream if stream else app_turn
    for number in range(turns + 1):
        try:
            timing = await send(client, conversation_id)
        except (Failed, httpx.HTTPError) as exc:
            samples.errors.append(repr(exc))
            continue
        conversation_id = timing.conversation_id
        if number:
            samples.add(timing)
    return samples


async def model_user(
    client: httpx.AsyncClient, turns: int, body: dict[str, Any], *, stream: bool
) -> Samples:
    """The same load straight to the model; the first request, too, is not timed."""
    samples = Samples()
    send = model_stream if stream else model_turn
    for number in range(turns + 1):
        try:
            timing = await send(client, body)
        except (Failed, httpx.HTTPError) as exc:
            samples.errors.append(repr(exc))
            continue
        if number:
            samples.add(timing)
    return samples


async def crowd(users: int, make_user) -> Samples:
    results = await asyncio.gather(*(make_user() for _ in range(users)))
    merged = Samples()
    for result in results:
        merged.merge(result)
    return merged


async def once_each(users: int, send) -> Samples:
    """``users`` single requests started together, every one timed."""

    async def one() -> Samples:
        samples = Samples()
        try:
            samples.add(await send())
        except (Failed, httpx.HTTPError) as exc:
            samples.errors.append(repr(exc))
        return samples

    return await crowd(users, one)


def _client(base_url: str, headers: dict[str, str]) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(60.0),
        limits=httpx.Limits(max_connections=STAMPEDE * 2, max_keepalive_connections=STAMPEDE * 2),
        trust_env=False,  # loopback only: no proxy from the environment
    )


# --- The measurements over HTTP --------------------------------------------------------------


@dataclass
class CpuUse:
    """CPU time over one phase: the server's per turn, and how busy the machine's CPUs were
    with the server and with this process (the load and the fake model)."""

    turns: int
    server_seconds: float = 0.0
    own_seconds: float = 0.0
    wall_seconds: float = 0.0

    @classmethod
    @contextlib.contextmanager
    def over(cls, server: ProductionServer, turns: int) -> Iterator[CpuUse]:
        use = cls(turns)
        server_before, own_before, wall_before = server.cpu_seconds(), _own_cpu(), time.monotonic()
        yield use
        use.server_seconds = server.cpu_seconds() - server_before
        use.own_seconds = _own_cpu() - own_before
        use.wall_seconds = time.monotonic() - wall_before

    @property
    def server_ms_per_turn(self) -> float:
        return self.server_seconds * 1000 / self.turns

    def busy(self) -> str:
        cpus = os.cpu_count() or 1
        server = self.server_seconds / self.wall_seconds / cpus
        own = self.own_seconds / self.wall_seconds / cpus
        return f"CPUs busy: server {server:.0%}, load+model {own:.0%}"


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class HttpResults:
    solo_app: Samples
    solo_model: Samples
    crowd_app: Samples
    crowd_model: Samples
    streams_app: Samples
    streams_model: Samples
    stampede_app: Samples
    stampede_model: Samples
    peak_kb: int
    processes: int
    warmup_errors: list[str]
    cpu: dict[str, CpuUse]


async def measure_http(
    server: ProductionServer,
    token: str,
    model: BenchModel,
    *,
    solo_turns: int,
    crowd_turns: int,
    stream_rounds: int,
) -> HttpResults:
    """Every HTTP figure, app and model alike; each user in their own conversation."""
    app = _client(server.url, {"Authorization": f"Token {token}"})
    direct = _client(model.base_url, {"Authorization": "Bearer bench"})
    async with app, direct:
        # Warm every worker (imports, the model client, database connections), and keep the
        # bodies the app sends the model (with some history) to replay straight to it.
        warmup = await crowd(16, lambda: app_user(app, 1, stream=False))
        warmup.merge(await crowd(16, lambda: app_user(app, 1, stream=True)))
        plain = next((b for b in reversed(model.requests) if not b.get("stream")), None)
        streamed = next((b for b in reversed(model.requests) if b.get("stream")), None)
        if plain is None or streamed is None:
            raise Failed(f"the warm-up turns failed: {warmup.errors[:1]}")

        cpu: dict[str, CpuUse] = {}
        solo_app, solo_model = Samples(), Samples()
        conversation_id = (await app_turn(app, None)).conversation_id
        await model_turn(direct, plain)
        with CpuUse.over(server, solo_turns) as cpu["solo"]:
            for _ in range(solo_turns):  # interleaved, so drift hits both alike
                solo_app.merge(await _timed(lambda: app_turn(app, conversation_id)))
                solo_model.merge(await _timed(lambda: model_turn(direct, plain)))

        crowd_model = await crowd(
            CROWD, lambda: model_user(direct, crowd_turns, plain, stream=False)
        )
        with CpuUse.over(server, CROWD * (crowd_turns + 1)) as cpu["chat"]:
            crowd_app = await crowd(CROWD, lambda: app_user(app, crowd_turns, stream=False))

        streams_model = await crowd(
            CROWD, lambda: model_user(direct, stream_rounds, streamed, stream=True)
        )
        with CpuUse.over(server, CROWD * (stream_rounds + 1)) as cpu["stream"]:
            streams_app = await crowd(CROWD, lambda: app_user(app, stream_rounds, stream=True))

        stampede_model = await once_each(STAMPEDE, lambda: model_stream(direct, streamed))
        stampede_app = await once_each(STAMPEDE, lambda: app_stream(app, None))
        peak_kb, processes = server.memory_high_water_kb()
    return HttpResults(
        solo_app,
        solo_model,
        crowd_app,
        crowd_model,
        streams_app,
        streams_model,
        stampede_app,
        stampede_model,
        peak_kb,
        processes,
        warmup.errors,
        cpu,
    )


async def _timed(send) -> Samples:
    samples = Samples()
    try:
        samples.add(await send())
    except (Failed, httpx.HTTPError) as exc:
        samples.errors.append(repr(exc))
    return samples
