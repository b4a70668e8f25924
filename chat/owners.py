"""Who owns a conversation: a user account, or an anonymous browser session.

Anonymous visitors get a random owner token stored in their session; it never leaves the
server (the session cookie is the only thing the browser holds).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db.models import Q

SESSION_KEY = "chat_owner_token"


@dataclass(frozen=True)
class Owner:
    user_id: int | None = None
    token: str = ""

    def __post_init__(self) -> None:
        if self.user_id is None and not self.token:
            raise ValueError("An owner needs a user or an anonymous token.")

    @property
    def filter(self) -> Q:
        """Limits a Conversation queryset to this owner's conversations."""
        if self.user_id is not None:
            return Q(user_id=self.user_id)
        return Q(user__isnull=True, owner_token=self.token)

    def fields(self) -> dict:
        """Owner fields for a new Conversation."""
        if self.user_id is not None:
            return {"user_id": self.user_id}
        return {"owner_token": self.token}

    @property
    def key(self) -> str:
        """A stable, non-secret identifier (for counters and logs): never the token itself."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return "anon:" + hashlib.sha256(self.token.encode()).hexdigest()[:16]


def owner_from_request(request, *, create: bool = True) -> Owner:
    """The owner behind a page or API request (DRF requests proxy ``user`` and ``session``).

    An anonymous visitor without a token gets one stored in their session when ``create`` is
    true (writes); reads pass ``create=False`` and get a throwaway token that owns nothing, so a
    cookieless GET does not create a session.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Owner(user_id=user.pk)
    token = request.session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        if create:
            request.session[SESSION_KEY] = token
    return Owner(token=token)
