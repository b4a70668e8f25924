"""A real-HTTP, OpenAI-compatible chat server for tests, benchmarks and trying the app by hand.

It speaks ``POST /v1/chat/completions`` (JSON, or SSE with ``stream: true``) and
``GET /v1/models``. Each request consumes the next scripted reply (``reply_text``,
``reply_tool_calls``, ``reply_error``, ``reply_delay``, ``reply_cut_stream``,
``reply_malformed_stream``); with an empty script it answers with a deterministic text that
echoes the last user message. ``requests`` holds the decoded request bodies, ``disconnects``
counts clients that hung up before their answer was complete.

In tests: the ``fake_openai`` fixture below. By hand::

    python -m tests.fake_openai --port 8001 --first-token-latency 0.2 --token-interval 0.02
    OPENAI_BASE_URL=http://127.0.0.1:8001/v1 python manage.py runserver
"""

from __future__ import annotations

import argparse
import contextlib
import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

try:
    import pytest
except ImportError:  # the CLI runs without test dependencies
    pytest = None

AUTO = "auto"  # usage computed from word counts


@dataclass
class ScriptedReply:
    """One scripted answer; build with the ``*_reply`` functions or the server's ``reply_*``."""

    kind: str  # "text" | "tool_calls" | "error" | "cut" | "malformed"
    text: str = ""
    tool_calls: list[tuple[str, Any]] = field(default_factory=list)
    usage: tuple[int, int] | str | None = AUTO
    chunk_size: int = 8
    finish_reason: str | None = "stop"
    model: str | None = None
    status: int = HTTPStatus.OK
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before anything is sent, headers included
    after_chunks: int = 2
    first_token_latency: float | None = None
    token_interval: float | None = None


def text_reply(
    text: str,
    *,
    usage: tuple[int, int] | str | None = AUTO,
    chunk_size: int = 8,
    finish_reason: str | None = "stop",
    model: str | None = None,
    first_token_latency: float | None = None,
    token_interval: float | None = None,
) -> ScriptedReply:
    """A text answer; streamed in pieces of ``chunk_size`` characters. ``usage=None`` omits
    usage like some compatible servers do; ``finish_reason=None`` never sends one."""
    return ScriptedReply(
        "text",
        text=text,
        usage=usage,
        chunk_size=chunk_size,
        finish_reason=finish_reason,
        model=model,
        first_token_latency=first_token_latency,
        token_interval=token_interval,
    )


def tool_calls_reply(
    calls: list[tuple[str, Any]],
    *,
    text: str = "",
    usage: tuple[int, int] | str | None = AUTO,
    chunk_size: int = 8,
    model: str | None = None,
    first_token_latency: float | None = None,
    token_interval: float | None = None,
) -> ScriptedReply:
    """The model asks for tools: ``[(name, arguments)]``; a ``str`` argument is sent verbatim
    (to send invalid JSON), anything else JSON-encoded."""
    return ScriptedReply(
        "tool_calls",
        text=text,
        tool_calls=list(calls),
        usage=usage,
        chunk_size=chunk_size,
        finish_reason="tool_calls",
        model=model,
        first_token_latency=first_token_latency,
        token_interval=token_interval,
    )


def error_reply(
    status: int, *, body: Any = None, headers: dict[str, str] | None = None
) -> ScriptedReply:
    """An HTTP error; ``body`` (dict or str) defaults to an OpenAI-style error object."""
    if body is None:
        phrase = HTTPStatus(status).phrase
        body = {"error": {"message": phrase, "type": "fake_error", "param": None, "code": None}}
    return ScriptedReply("error", status=status, body=body, headers=dict(headers or {}))


class FakeOpenAI:
    """The server. ``start()``/``stop()`` or use it as a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        model: str | None = None,
        first_token_latency: float = 0.0,
        token_interval: float = 0.0,
        verbose: bool = False,
    ) -> None:
        self.model = model  # None: report the model each request asked for
        self.first_token_latency = first_token_latency
        self.token_interval = token_interval
        self.verbose = verbose
        self.requests: list[dict[str, Any]] = []
        self.request_headers: list[dict[str, str]] = []  # names in lower case
        self._disconnects = 0
        self._script: deque[ScriptedReply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    @property
    def disconnects(self) -> int:
        """Clients that closed the connection before their answer was complete."""
        with self._lock:
            return self._disconnects

    @property
    def pending(self) -> int:
        """Scripted replies not consumed yet."""
        with self._lock:
            return len(self._script)

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        # Idle keep-alive connections would otherwise park their handler threads forever.
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_for_disconnect(self, timeout: float = 2.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.disconnects:
                return True
            time.sleep(0.01)
        return bool(self.disconnects)

    # The script: each request to /chat/completions consumes one item, oldest first.

    def script(self, reply: ScriptedReply) -> ScriptedReply:
        with self._lock:
            self._script.append(reply)
        return reply

    def reply_text(self, text: str, **options: Any) -> ScriptedReply:
        """Options as ``text_reply``: usage, chunk_size, finish_reason, model,
        first_token_latency, token_interval."""
        return self.script(text_reply(text, **options))

    def reply_tool_calls(self, calls: list[tuple[str, Any]], **options: Any) -> ScriptedReply:
        """Options as ``tool_calls_reply``: text, usage, chunk_size, model, timing."""
        return self.script(tool_calls_reply(calls, **options))

    def reply_error(
        self, status: int, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> ScriptedReply:
        return self.script(error_reply(status, body=body, headers=headers))

    def reply_delay(self, seconds: float, then: ScriptedReply | str | None = None) -> ScriptedReply:
        """Send nothing at all for ``seconds`` (to force a client timeout), then ``then``
        (a scripted reply, a text, or the default answer)."""
        if isinstance(then, str):
            then = text_reply(then)
        reply = then or ScriptedReply("default")
        reply.delay = seconds
        return self.script(reply)

    def reply_cut_stream(self, after_chunks: int = 2, text: str = "") -> ScriptedReply:
        """Send ``after_chunks`` SSE events, then drop the connection: no finish_reason, no
        [DONE], no end of the chunked body. A non-streaming request gets half a JSON body."""
        text = text or "The catalytic converter may be failing; check the downstream sensor."
        return self.script(ScriptedReply("cut", text=text, after_chunks=after_chunks))

    def reply_malformed_stream(self) -> ScriptedReply:
        """A valid first event, then one whose data is not JSON. A non-streaming request gets an
        invalid JSON body."""
        return self.script(ScriptedReply("malformed", text="Checking the code"))

    # Used by the handler.

    def _next_reply(
        self, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, ScriptedReply]:
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)
            reply = self._script.popleft() if self._script else ScriptedReply("default")
            return len(self.requests), reply

    def _note_disconnect(self) -> None:
        with self._lock:
            self._disconnects += 1

    def _track(self, connection: socket.socket, *, active: bool) -> None:
        with self._lock:
            if active:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


def default_text(body: dict[str, Any]) -> str:
    """The answer with an empty script: deterministic, and shows what the server was told."""
    said = ""
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            said = _content_text(message.get("content"))
            break
    words = said.split()
    phrase = " ".join(words[:12]) + (" ..." if len(words) > 12 else "")
    return (
        f'(fake model) You said: "{phrase}". Start with the simple checks: battery, fluids, '
        "fuses and any warning lights, then tell me the make, model, year and any trouble codes."
    )


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"
    number = 0  # this request's position in ``FakeOpenAI.requests``

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, active=True)

    def handle(self) -> None:
        # Clients reset idle keep-alive connections; that is not worth a traceback.
        with contextlib.suppress(OSError):
            super().handle()

    def finish(self) -> None:
        self.fake._track(self.connection, active=False)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.fake.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        if self._route() == "/models":
            model = self.fake.model or "fake-gpt"
            self._send_json(
                HTTPStatus.OK,
                {
                    "object": "list",
                    "data": [{"id": model, "object": "model", "created": 0, "owned_by": "fake"}],
                },
            )
        else:
            self._send_json(HTTPStatus.NOT_FOUND, _error_body("Not found", "not_found"))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self._route() != "/chat/completions":
            self._send_json(HTTPStatus.NOT_FOUND, _error_body("Not found", "not_found"))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._send_json(HTTPStatus.BAD_REQUEST, _error_body("Invalid JSON", "invalid_json"))
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.number, reply = self.fake._next_reply(body, headers)
        if reply.delay and not self._pause(reply.delay):
            return
        if reply.kind == "error":
            self._send_error_reply(reply)
            return
        if reply.kind == "default":
            reply = ScriptedReply(
                "text", text=default_text(body), delay=reply.delay, model=reply.model
            )
        try:
            if body.get("stream"):
                self._stream(reply, body)
            else:
                self._complete(reply, body)
        except OSError:
            self._hung_up()

    def _route(self) -> str:
        path = self.path.split("?", 1)[0].rstrip("/")
        return path.removeprefix("/v1")

    def _latency(self, reply: ScriptedReply) -> tuple[float, float]:
        first = reply.first_token_latency
        interval = reply.token_interval
        return (
            self.fake.first_token_latency if first is None else first,
            self.fake.token_interval if interval is None else interval,
        )

    # Plain JSON answers.

    def _complete(self, reply: ScriptedReply, body: dict[str, Any]) -> None:
        first_token_latency, _ = self._latency(reply)
        if first_token_latency and not self._pause(first_token_latency):
            return
        if reply.kind == "malformed":
            self._send_raw(
                HTTPStatus.OK, b'{"id": "chatcmpl-fake", "choices": [', "application/json"
            )
            return
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if reply.kind == "tool_calls":
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
                for call_id, name, arguments in self._calls(reply)
            ]
        payload: dict[str, Any] = {
            "id": self._completion_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self._model(reply, body),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
        }
        usage = _usage(reply, body)
        if usage is not None:
            payload["usage"] = usage
        data = json.dumps(payload).encode()
        if reply.kind == "cut":
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self._drop_connection()
            return
        self._send_raw(HTTPStatus.OK, data, "application/json")

    # Server-sent events.

    def _stream(self, reply: ScriptedReply, body: dict[str, Any]) -> None:
        first_token_latency, token_interval = self._latency(reply)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if first_token_latency and not self._pause(first_token_latency):
            return
        for number, event in enumerate(self._events(reply, body, include_usage)):
            if reply.kind == "cut" and number == reply.after_chunks:
                self._drop_connection()
                return
            if number and token_interval and not self._pause(token_interval):
                return
            if not self._write_chunk(event):
                return
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_raw(b"0\r\n\r\n")

    def _events(
        self, reply: ScriptedReply, body: dict[str, Any], include_usage: bool
    ) -> Iterator[bytes]:
        completion_id = self._completion_id()
        created = int(time.time())
        model = self._model(reply, body)

        def event(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            chunk: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }
            if include_usage:
                chunk["usage"] = None
            return b"data: " + json.dumps(chunk).encode() + b"\n\n"

        size = max(1, reply.chunk_size)
        yield event({"role": "assistant", "content": ""})
        if reply.kind == "malformed":
            yield b'data: {"id": "chatcmpl-fake", "choices": [{"delta": {"content": "oops"\n\n'
        for start in range(0, len(reply.text), size):
            yield event({"content": reply.text[start : start + size]})
        for index, (call_id, name, arguments) in enumerate(self._calls(reply)):
            yield event(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": name, "arguments": ""},
                        }
                    ]
                }
            )
            for start in range(0, len(arguments), size):
                piece = arguments[start : start + size]
                yield event({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        yield event({}, reply.finish_reason)
        usage = _usage(reply, body)
        if include_usage and usage is not None:
            chunk = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [],
                "usage": usage,
            }
            yield b"data: " + json.dumps(chunk).encode() + b"\n\n"

    # Plumbing.

    def _calls(self, reply: ScriptedReply) -> list[tuple[str, str, str]]:
        return [
            (
                f"call_{self.number}_{index}",
                name,
                arguments if isinstance(arguments, str) else json.dumps(arguments),
            )
            for index, (name, arguments) in enumerate(reply.tool_calls)
        ]

    def _completion_id(self) -> str:
        return f"chatcmpl-fake-{self.number}"

    def _model(self, reply: ScriptedReply, body: dict[str, Any]) -> str:
        return reply.model or self.fake.model or str(body.get("model") or "fake-gpt")

    def _send_error_reply(self, reply: ScriptedReply) -> None:
        body = reply.body
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        content_type = "text/plain" if isinstance(body, str) else "application/json"
        self._send_raw(reply.status, data, content_type, reply.headers)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send_raw(status, json.dumps(payload).encode(), "application/json")

    def _send_raw(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _write_chunk(self, data: bytes) -> bool:
        return self._write_raw(b"%X\r\n%s\r\n" % (len(data), data))

    def _write_raw(self, data: bytes) -> bool:
        if self._client_gone():
            self._hung_up()
            return False
        try:
            self.wfile.write(data)
        except OSError:
            self._hung_up()
            return False
        return True

    def _pause(self, seconds: float) -> bool:
        """Wait, watching for the client hanging up; False if it did (or the server stops)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            if self.fake._stopping.is_set():
                self.close_connection = True
                return False
            if self._client_gone(min(remaining, 0.02)):
                self._hung_up()
                return False
        return True

    def _client_gone(self, wait: float = 0.0) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], wait)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _hung_up(self) -> None:
        self.close_connection = True
        self.fake._note_disconnect()

    def _drop_connection(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _error_body(message: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


def _usage(reply: ScriptedReply, body: dict[str, Any]) -> dict[str, int] | None:
    if reply.usage is None:
        return None
    if reply.usage == AUTO:
        prompt = sum(
            len(_content_text(message.get("content")).split())
            for message in body.get("messages") or []
            if isinstance(message, dict)
        )
        completion = len(reply.text.split()) + len(reply.tool_calls)
    else:
        prompt, completion = reply.usage
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


if pytest is not None:

    @pytest.fixture
    def fake_openai() -> Iterator[FakeOpenAI]:
        """A started fake OpenAI server, fresh for each test."""
        with FakeOpenAI() as server:
            yield server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible chat server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--model", default=None, help="model name to report (default: echo)")
    parser.add_argument("--first-token-latency", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--token-interval", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--verbose", action="store_true", help="log each request")
    args = parser.parse_args(argv)
    server = FakeOpenAI(
        host=args.host,
        port=args.port,
        model=args.model,
        first_token_latency=args.first_token_latency,
        token_interval=args.token_interval,
        verbose=args.verbose,
    ).start()
    print(f"Fake OpenAI server at {server.base_url}  (Ctrl-C to stop)", flush=True)
    print(f"  export OPENAI_BASE_URL={server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
