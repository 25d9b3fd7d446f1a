"""`storywatch serve`: starts a Prefect server when none is configured, serves the deployments of
prefect.yaml, runs a triggered ingest, and stops everything cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.prefect.newsroom import AS_OF, PUBLISHED, STORIES, Newsroom, stored_urls, write_config
from tests.prefect.test_prefect_deploy import TERMINAL, _free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _wait_for(path: Path, pattern: str, proc: subprocess.Popen[bytes], timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        found = re.search(pattern, text)
        if found:
            return found
        assert proc.poll() is None, f"serve exited early:\n{text[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"{pattern!r} not seen in {timeout} s:\n{path.read_text(errors='replace')[-3000:]}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_starts_a_server_runs_a_triggered_ingest_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    home = tmp_path / "prefect-home"
    home.mkdir()
    out = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "STORYWATCH_CONFIG")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_RUNNER_POLL_FREQUENCY="1")
    with Newsroom(PUBLISHED) as room:
        config = write_config(tmp_path, room)
        with open(out, "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "storywatch.cli", "--config", str(config), "serve",
                                     "--port", str(port)], cwd=tmp_path, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        server_pid = None
        try:
            started = _wait_for(out, r"started a Prefect server at (\S+) \(pid (\d+)", proc, 180)
            api, server_pid = started.group(1), int(started.group(2))
            _wait_for(out, r"ingest/ingest", proc, 120)
            dep = httpx.get(f"{api}/deployments/name/ingest/ingest", timeout=10).json()
            assert dep["global_concurrency_limit"]["limit"] == 1, dep
            assert dep["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
            assert dep["schedules"][0]["schedule"]["cron"] == "*/15 * * * *"
            # right after start-up the server may still be busy registering (its SQLite locked):
            # an error answer is retried, and shown if it persists
            for _ in range(20):
                created = httpx.post(f"{api}/deployments/{dep['id']}/create_flow_run", timeout=10, json={
                    "parameters": {"config": str(config), "as_of": AS_OF.isoformat()}})
                if created.is_success:
                    break
                time.sleep(1)
            assert created.is_success, f"{created.status_code}: {created.text[:2000]}"
            run = created.json()
            deadline, state = time.monotonic() + 180, ""
            while time.monotonic() < deadline and state not in TERMINAL:
                time.sleep(1)
                got = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=10)
                if got.is_success:  # a busy server's error answer is polled again
                    state = got.json()["state"]["type"]
            assert state == "COMPLETED", out.read_text(errors="replace")[-4000:]
            proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            assert proc.wait(timeout=90) == 0, out.read_text(errors="replace")[-3000:]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            if server_pid is not None and _alive(server_pid):
                os.kill(server_pid, signal.SIGKILL)
    text = out.read_text(errors="replace")
    assert "stopping the Prefect server we started" in text and "serve stopped" in text
    assert server_pid is not None and not _alive(server_pid)
    assert len(stored_urls(f"sqlite:///{tmp_path / 'storywatch.db'}")) == len(STORIES)
