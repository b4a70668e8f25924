"""Spend and abuse limits on chat turns: per owner, per client IP, per conversation.

Counters are fixed windows kept where every worker process sees them: Redis (INCR) when
REDIS_URL is set, the database otherwise. A per-process cache would let each worker allow the
full limit on its own.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from chat.models import RateCounter
from chat.owners import Owner

MINUTE = 60
DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Limit:
    name: str  # part of the counter key: what is limited and for whom
    allowed: int
    window: int  # seconds


def turn_limits(*, owner: Owner, ip: str) -> list[Limit]:
    """The limits that apply to one chat turn (a limit of 0 is off)."""
    candidates = [
        Limit(f"owner:{owner.key}:m", settings.CHAT_TURNS_PER_MINUTE, MINUTE),
        Limit(f"owner:{owner.key}:d", settings.CHAT_TURNS_PER_DAY, DAY),
        Limit(f"ip:{ip}:m", settings.CHAT_TURNS_PER_MINUTE_PER_IP, MINUTE),
    ]
    return [limit for limit in candidates if limit.allowed > 0]


def hit(limits: list[Limit]) -> int | None:
    """Count one request against every limit. Returns the seconds to wait if any is exceeded,
    else None."""
    now = time.time()
    wait = None
    for limit, count in zip(limits, _increment(limits, now), strict=True):
        if count > limit.allowed:
            remaining = math.ceil(limit.window - now % limit.window)
            wait = max(wait or 0, remaining)
    return wait


def _keys(limits: list[Limit], now: float) -> list[str]:
    prefix = settings.RATE_LIMIT_PREFIX
    return [f"{prefix}:rate:{limit.name}:{int(now // limit.window)}" for limit in limits]


def _increment(limits: list[Limit], now: float) -> list[int]:
    keys = _keys(limits, now)
    if settings.REDIS_URL:
        pipe = _redis_client().pipeline()
        for key, limit in zip(keys, limits, strict=True):
            pipe.incr(key)
            pipe.expire(key, limit.window, nx=True)
        return pipe.execute()[::2]
    return _increment_in_database(keys, [limit.window for limit in limits])


_redis_lock = threading.Lock()


@cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def _redis_client():
    # Under a lock: two threads building the client at once would each get a pool, and the one
    # that loses the race closes its sockets when garbage-collected, under the other's feet.
    with _redis_lock:
        return _redis()


def _increment_in_database(keys: list[str], windows: list[int]) -> list[int]:
    counters = RateCounter.objects.filter(key__in=keys)
    try:
        with transaction.atomic():
            # The usual case, every counter of this window exists: one UPDATE for all of them.
            if counters.update(count=F("count") + 1) < len(keys):
                raise _CounterMissing  # rolls the UPDATE back
            return _counts(counters, keys)
    except _CounterMissing:
        pass
    # The first request of a window: counter by counter, creating what is missing.
    with transaction.atomic():
        for key, window in zip(keys, windows, strict=True):
            if not RateCounter.objects.filter(key=key).update(count=F("count") + 1):
                _create_counter(key, window)
        return _counts(counters, keys)


class _CounterMissing(Exception):
    pass


def _counts(counters, keys: list[str]) -> list[int]:
    counts = dict(counters.values_list("key", "count"))
    return [counts[key] for key in keys]


def _create_counter(key: str, window: int) -> None:
    """The first request of a window creates its counter (and clears expired ones)."""
    try:
        with transaction.atomic():
            now = timezone.now()
            RateCounter.objects.filter(expires_at__lt=now).delete()
            RateCounter.objects.create(key=key, count=1, expires_at=now + timedelta(seconds=window))
    except IntegrityError:  # another process created it first: count on theirs
        RateCounter.objects.filter(key=key).update(count=F("count") + 1)


def client_ip(request) -> str:
    """The client's address. X-Forwarded-For is believed only for the configured number of
    proxy hops in front of the app; otherwise anyone could claim any address."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "unknown")
