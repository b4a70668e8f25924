"""Chat views that hold a model call stay fast under both WSGI (runserver) and ASGI (uvicorn).

The provider SDK and the ORM are synchronous, so a chat turn is synchronous code. Under ASGI that
raises two problems, both solved here without duplicating the turn in async code:

- Django runs every synchronous view of a process on one shared thread, so one slow model call
  would queue every other request behind it. ``off_the_event_loop`` runs the chat views on a
  pool of worker threads instead (under WSGI they run on the request's thread as usual).
- Django buffers a synchronous streaming body completely before sending it. ``event_stream``
  hands ASGI an async iterator fed by a thread that runs the turn's generator, so each event is
  sent as soon as it exists; when the client disconnects, the thread closes the generator, which
  cancels the upstream model call and stores the partial answer.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import wraps

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import StreamingHttpResponse

_executor = ThreadPoolExecutor(
    max_workers=settings.CHAT_WORKER_THREADS, thread_name_prefix="chat-turn"
)
_stream_executor = ThreadPoolExecutor(
    max_workers=settings.CHAT_STREAM_THREADS, thread_name_prefix="chat-stream"
)
_END = object()


def is_asgi(request) -> bool:
    return isinstance(getattr(request, "_request", request), ASGIRequest)


def off_the_event_loop(view):
    """Wrap a synchronous view so that, under ASGI, it runs on the chat worker threads."""

    @wraps(view)  # keeps csrf_exempt and the DRF attributes the schema generator reads
    async def wrapper(request, *args, **kwargs):
        if is_asgi(request):
            run = sync_to_async(_with_fresh_connections, thread_sensitive=False, executor=_executor)
            return await run(view, request, *args, **kwargs)
        return await sync_to_async(view)(request, *args, **kwargs)

    return wrapper


def _with_fresh_connections(view, request, *args, **kwargs):
    # Django tidies database connections around each request on the request's own thread; a
    # worker thread has to do the same (PostgreSQL connections go back to the pool, SQLite ones
    # stay open with their thread).
    close_old_connections()
    try:
        return view(request, *args, **kwargs)
    finally:
        close_old_connections()


def event_stream(request, events: Iterator[str]) -> StreamingHttpResponse:
    """A ``text/event-stream`` response that streams event by event under WSGI and ASGI."""
    body = _pumped(events) if is_asgi(request) else events
    response = StreamingHttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # tell nginx-style proxies not to buffer the stream
    return response


async def _pumped(events: Iterator[str]) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    client_gone = threading.Event()

    def deliver(item, error=None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (item, error))
        except RuntimeError:  # the event loop has already finished with this response
            client_gone.set()

    def pump() -> None:
        try:
            for item in events:
                if client_gone.is_set():
                    break
                deliver(item)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise there
            deliver(None, exc)
        finally:
            events.close()  # mid-stream this cancels the model call and keeps the partial answer
            close_old_connections()
            deliver(_END)

    _stream_executor.submit(pump)
    try:
        while True:
            item, error = await queue.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        client_gone.set()
