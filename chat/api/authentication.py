"""How API callers are identified.

Programs send ``Authorization: Token <key>`` (or ``Bearer <key>``) and need no CSRF token.
Browsers and cookie-jar clients are identified by their session cookie, and every write they
make must carry the CSRF token — for anonymous sessions too, which DRF's SessionAuthentication
leaves unchecked — because a session cookie is sent by the browser on any site's behalf.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.authentication import (
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import AuthenticationFailed


class BearerOrTokenAuthentication(TokenAuthentication):
    """DRF's ``Token <key>``, plus ``Bearer <key>`` as most HTTP client libraries send it."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) == 2 and parts[0].lower() == b"bearer":
            try:
                return self.authenticate_credentials(parts[1].decode())
            except UnicodeError as exc:
                raise AuthenticationFailed("Invalid token header.") from exc
        return super().authenticate(request)


class OwnerSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        underlying = request._request
        user = getattr(underlying, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            self.enforce_csrf(request)
            return (user, None)
        if settings.SESSION_COOKIE_NAME in underlying.COOKIES:
            self.enforce_csrf(request)
        return None
