"""Find or start the Prefect server that schedules need (a temporary server has no scheduler)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from storywatch.errors import RunError

DEFAULT_API = "http://127.0.0.1:4200/api"


@dataclass
class PrefectServer:
    """A Prefect API: found (``process`` None) or started by us (stopped by :meth:`stop`)."""

    api_url: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def started_here(self) -> bool:
        """True when this process started the server (and must stop it)."""
        return self.process is not None

    def stop(self, grace: float = 20.0) -> None:
        """Stop a server we started, by its pid: SIGTERM, then SIGKILL after ``grace`` seconds."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def api_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when ``{api_url}/health`` answers 200."""
    try:
        return httpx.get(api_url.rstrip("/") + "/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def prefect_executable() -> str:
    """The ``prefect`` command next to this Python (the same environment), else the one on PATH."""
    here = Path(sys.executable).parent / "prefect"
    found = str(here) if here.exists() else shutil.which("prefect")
    if not found:
        raise RunError("the `prefect` command is not installed in this environment")
    return found


def start_server(port: int, *, log_path: Path, home: str | None = None, timeout: float = 120.0) -> PrefectServer:
    """Start ``prefect server start --host 127.0.0.1 --port PORT`` and wait until it is healthy."""
    api = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ)
    env.pop("PREFECT_API_URL", None)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("PREFECT_UI_ENABLED", "true")
    if home:
        env["PREFECT_HOME"] = home
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([prefect_executable(), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = PrefectServer(api, proc, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RunError(f"prefect server exited with code {proc.returncode}; see {log_path}")
        if api_healthy(api):
            return server
        time.sleep(0.5)
    server.stop()
    raise RunError(f"prefect server did not become healthy within {timeout:.0f} s; see {log_path}")


def find_or_start_server(port: int = 4200, *, log_path: Path, start: bool = True) -> PrefectServer:
    """The server at $PREFECT_API_URL (must answer), else one on 127.0.0.1:PORT, else a new one there."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if not api_healthy(configured):
            raise RunError(f"PREFECT_API_URL={configured} does not answer on /health; start it with "
                           "`prefect server start` or unset PREFECT_API_URL")
        return PrefectServer(configured)
    local = f"http://127.0.0.1:{port}/api"
    if api_healthy(local):
        return PrefectServer(local)
    if not start:
        raise RunError(f"no Prefect server at {local} and PREFECT_API_URL is not set")
    return start_server(port, log_path=log_path)
