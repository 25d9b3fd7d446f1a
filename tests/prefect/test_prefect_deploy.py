"""End to end with the real thing: `prefect server start`, a process work pool, `prefect deploy --all`,
a worker, and `prefect deployment run 'ingest/ingest' --param …`; the articles land in storywatch's database.

About a minute: the server needs ~25-35 s to become healthy, the worker polls every second
here, and starting the flow's subprocess takes a few seconds.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.prefect.newsroom import AS_OF, PUBLISHED, STORIES, Newsroom, stored_urls, write_config

ROOT = Path(__file__).resolve().parents[2]
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prefect(args: list[str], env: dict[str, str], timeout: float = 180) -> str:
    from flows.server import prefect_executable

    out = subprocess.run([prefect_executable(), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, f"prefect {' '.join(args)} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout + out.stderr


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the worker's own process group (start_new_session)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def test_deploy_all_two_workers_and_parameterised_deployment_runs(tmp_path: Path, db_url: str) -> None:
    """Scale-out on one machine: two workers on one pool, storywatch's database shared (SQLite or
    PostgreSQL). Two runs of `ingest` started at once: one runs, the deployment's limit
    (CANCEL_NEW) cancels the other, and every article is stored once."""
    from flows.server import prefect_executable, start_server

    home = tmp_path / "prefect-home"
    home.mkdir()
    port = _free_port()
    yaml_before = (ROOT / "prefect.yaml").read_bytes()
    with Newsroom(PUBLISHED) as room:
        config = write_config(tmp_path, room, database=db_url)
        env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "PREFECT_WORKER_QUERY_SECONDS": "1",
               "PREFECT_CLI_PROMPT": "false", "STORYWATCH_CONFIG": str(config)}
        server = start_server(port, log_path=tmp_path / "server.log", home=str(home), timeout=180)
        workers: list[subprocess.Popen[bytes]] = []
        try:
            _prefect(["work-pool", "create", "storywatch", "--type", "process"], env)
            deployed = _prefect(["--no-prompt", "deploy", "--all"], env, timeout=300)
            for name in ("ingest", "digest", "backfill", "replay"):
                assert f"'{name}/{name}'" in deployed or f"{name}/{name}" in deployed, deployed[-3000:]
            for i in (1, 2):
                with open(tmp_path / f"worker{i}.log", "wb") as log:
                    workers.append(subprocess.Popen(
                        [prefect_executable(), "worker", "start", "--pool", "storywatch", "--name", f"w{i}"],
                        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            run_ids = []
            for _ in (1, 2):
                started = _prefect(["deployment", "run", "ingest/ingest", "--param", f"config={config}",
                                    "--param", "sources=[\"velmora-post\"]",
                                    "--param", f"as_of={AS_OF.isoformat()}"], env)
                match = re.search(r"UUID:\s*([0-9a-f-]{36})", started)
                assert match, started
                run_ids.append(match.group(1))
            api = env["PREFECT_API_URL"]
            runs: dict[str, Any] = {}
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and len(runs) < 2:
                for run_id in run_ids:
                    run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
                    if (run.get("state") or {}).get("type", "") in TERMINAL:
                        runs[run_id] = run
                time.sleep(1)
            logs = "".join((tmp_path / f"worker{i}.log").read_text(errors="replace")[-3000:] for i in (1, 2))
            states = sorted(r["state"]["type"] for r in runs.values())
            assert states == ["CANCELLED", "COMPLETED"], f"{states}:\n{logs}"
            done = next(r for r in runs.values() if r["state"]["type"] == "COMPLETED")
            assert done["parameters"]["sources"] == ["velmora-post"]
            assert done["parameters"]["config"] == str(config)
        finally:
            for worker in workers:
                _stop(worker)
            server.stop()
    urls = stored_urls(db_url)
    assert sorted(urls) == sorted(f"{room.base_url}/news/{slug}" for slug, _t, _b in STORIES)
    assert (ROOT / "prefect.yaml").read_bytes() == yaml_before  # deploying did not rewrite the project file
