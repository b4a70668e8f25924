"""DRF throttle for chat turns, backed by the cross-process counters in ``chat.limits``."""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle

from chat import limits
from chat.owners import owner_from_request


class ChatTurnThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        owner = owner_from_request(request, create=False)
        self._wait = limits.hit(limits.turn_limits(owner=owner, ip=limits.client_ip(request)))
        return self._wait is None

    def wait(self) -> int | None:
        return self._wait
