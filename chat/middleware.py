"""Shows domain errors raised in page views as a friendly page with the right status."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from chat.errors import ChatError


class ChatErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ChatError):
            return render(
                request, "chat/error.html", {"message": exception.message}, status=exception.status
            )
        return None


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy: no inline script anywhere, nothing from other sites.

    The chat pages need nothing inline at all. The admin and the API docs (third-party pages)
    set inline styles and small data: images, so they get those two allowances and no more.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(settings.CSP_RELAXED_PATHS)
            response["Content-Security-Policy"] = (
                settings.CSP_THIRD_PARTY_PAGES if relaxed else settings.CSP
            )
        return response
