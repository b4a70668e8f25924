"""When an anonymous visitor logs in, their conversations come with them."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from chat import services
from chat.owners import SESSION_KEY


@receiver(user_logged_in, dispatch_uid="chat.claim_anonymous_conversations")
def claim_anonymous_conversations(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    token = session.pop(SESSION_KEY, None) if session is not None else None
    if token:
        services.conversations_claim(token=token, user_id=user.pk)
