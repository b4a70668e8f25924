"""Shows domain errors raised in page views as a friendly page with the right status."""

from __future__ import annotations

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
