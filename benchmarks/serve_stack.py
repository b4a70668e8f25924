"""What ``benchmarks.serve`` stands up: the fake model, a fresh database, the production server.

Everything listens on 127.0.0.1 and is torn down by the caller (``stop`` / ``drop``), also after
Ctrl-C: the server runs in its own process group, so a terminal's Ctrl-C reaches only the
benchmark, which then stops the server itself.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.fake_openai import FakeOpenAI, ScriptedReply, text_reply

REPO = Path(__file__).resolve().parent.parent
_VENV_PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = str(_VENV_PYTHON) if _VENV_PYTHON.exists() else sys.executable

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_DB = "carrepair_bench"
REDIS_URL = "redis://127.0.0.1:6379/2"

# The model's answer: 240 characters sent 4 at a time, about one token per chunk.
ANSWER = (
    "**Likely cause:** a tired catalytic converter or a lazy downstream oxygen sensor. "
    "Check for exhaust leaks ahead of the sensor, then compare both sensors at idle and at "
    "2,500 rpm. Replace the sensor before the converter: it costs far less."
)
CHUNK_CHARS = 4

# What the app reads from the environment: the caller's own values must not leak into the
# measured server. Proxy variables would send loopback traffic elsewhere.
_APP_PREFIXES = ("DJANGO_", "OPENAI_", "LLM_", "CHAT_", "DATABASE_", "REDIS_", "LOG_LEVEL")
_PROXY_NAMES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}

# Rate limits would refuse a load test from one address and one token within seconds. They
# stay on, so every turn still pays for counting, but out of reach.
UNREACHABLE_LIMITS = {
    "CHAT_TURNS_PER_MINUTE": "1000000",
    "CHAT_TURNS_PER_DAY": "1000000",
    "CHAT_TURNS_PER_MINUTE_PER_IP": "1000000",
}


class BenchModel(FakeOpenAI):
    """The test suite's fake OpenAI server, answering every unscripted request with ANSWER."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # ThreadingHTTPServer listens with a backlog of 5: a burst of 200 connections would
        # wait on SYN retransmits (a second or more) and measure the fake instead of the app.
        self._httpd.socket.listen(1024)

    def _next_reply(
        self, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, ScriptedReply]:
        number, reply = super()._next_reply(body, headers)
        if reply.kind == "default":
            reply = text_reply(ANSWER, chunk_size=CHUNK_CHARS)
        return number, reply

    @property
    def answer_chunks(self) -> int:
        return -(-len(ANSWER) // CHUNK_CHARS)


# --- Database --------------------------------------------------------------------------------


@dataclass
class Database:
    kind: str  # "sqlite" | "postgres"
    url: str
    redis_url: str
    workdir: Path  # temporary: the SQLite file and the server's log

    def drop(self) -> None:
        if self.kind == "postgres":
            _postgres_admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        shutil.rmtree(self.workdir, ignore_errors=True)


def fresh_database(kind: str) -> Database:
    workdir = Path(tempfile.mkdtemp(prefix="carrepair-bench-"))
    if kind == "sqlite":
        return Database(kind, f"sqlite:///{workdir / 'bench.sqlite3'}", "", workdir)
    _postgres_admin(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
    _postgres_admin(f"CREATE DATABASE {POSTGRES_DB}")
    url = f"postgres://postgres@127.0.0.1:5432/{POSTGRES_DB}"
    return Database(kind, url, REDIS_URL, workdir)


def _postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)  # constant names only: nothing from outside


# --- The production server -------------------------------------------------------------------


def server_env(database: Database, model_url: str) -> dict[str, str]:
    """The environment ``make serve`` gives the server, for plain HTTP on loopback."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_APP_PREFIXES) and name.lower() not in _PROXY_NAMES
    }
    env.update(
        {
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "OPENAI_BASE_URL": model_url,
            "OPENAI_API_KEY": "bench",
            "OPENAI_MAX_RETRIES": "0",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database.url,
            "NO_PROXY": "127.0.0.1,localhost",
            **UNREACHABLE_LIMITS,
        }
    )
    if database.redis_url:
        env["REDIS_URL"] = database.redis_url
    return env


def manage(args: list[str], env: dict[str, str]) -> str:
    """Run a management command; its stdout."""
    done = subprocess.run(  # noqa: S603 - a fixed command line
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ProductionServer:
    """uvicorn with N workers, started as ``make serve`` does (its ``check --deploy`` would refuse
    the plain-HTTP settings, and ``collectstatic`` would write into the repository: the API needs
    neither). Only uvicorn's own startup lines are quietened."""

    def __init__(self, *, workers: int, env: dict[str, str], log_path: Path) -> None:
        self.workers = workers
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self.command = [
            PYTHON, "-m", "uvicorn", "carrepair.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
            "--no-access-log", "--no-proxy-headers", "--log-level", "warning",
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> dict[str, Any]:
        """Start and wait until ``/api/status`` answers; the status body."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed command line
                self.command,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited at startup:\n{self.log_tail()}")
            try:
                response = httpx.get(f"{self.url}/api/status", timeout=2, trust_env=False)
            except httpx.TransportError:
                time.sleep(0.2)
                continue
            status = response.json()
            if response.status_code != 200 or status.get("provider") != "openai":
                raise RuntimeError(f"the server is not ready to benchmark: {status}")
            return status
        raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def pids(self) -> list[int]:
        """The master and every process below it (the workers)."""
        if self.process is None:
            return []
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    # The command name may hold spaces and parentheses: split after the last ")".
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    parents[int(entry.name)] = int(stat[1])
        found = [self.process.pid]
        for pid in found:
            found.extend(child for child, parent in parents.items() if parent == pid)
        return found

    def memory_high_water_kb(self) -> tuple[int, int]:
        """Sum of VmHWM over the server's processes, and how many processes."""
        total = count = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1])
                        count += 1
        return total, count

    def cpu_seconds(self) -> float:
        """User plus system CPU time used so far by the server's processes."""
        ticks = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(stat[11]) + int(stat[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()  # uvicorn's master stops its workers
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the group this benchmark started
            process.wait(timeout=5)
