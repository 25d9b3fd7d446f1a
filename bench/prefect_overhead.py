"""What Prefect costs: one ingest cycle over the bundled replay, three ways.

1. pure pipeline -- ``storywatch.pipeline.run_cycle`` in this process (what ``storywatch run``
   does without PREFECT_API_URL);
2. as a flow against a running server -- ``flows.ingest.ingest(...)`` in this process, recorded
   by the API (what ``storywatch run`` does with PREFECT_API_URL);
3. through a deployment -- ``run_deployment('ingest/ingest')`` picked up by ``storywatch serve``
   in another process (what a schedule or the UI's Run button does).

Every timed cycle starts from a fresh SQLite database, so each does the same full work
(all feeds, all pages, store, detect). Alerts are recorded, not delivered (no console
noise). Uses the server at $PREFECT_API_URL, else starts one on a free port with a
throw-away PREFECT_HOME (its ~30 s start is not counted).

Usage::

    .venv/bin/python -m bench.prefect_overhead            # 3 repeats per way
    .venv/bin/python -m bench.prefect_overhead --repeat 5
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def write_config(tmp: Path, n: int) -> Path:
    """The bundled default config with its own database and report under ``tmp``."""
    from storywatch.config import bundled_config_path

    data = yaml.safe_load(bundled_config_path("default").read_text(encoding="utf-8"))
    data["database"] = f"sqlite:///{tmp / f'run{n}.db'}"
    data["report"] = {"path": str(tmp / f"story{n}.html")}
    path = tmp / f"config{n}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def pure(config: Path) -> tuple[float, int]:
    """One cycle with the plain pipeline; (seconds, articles stored)."""
    from storywatch.cli import replay_if_enabled
    from storywatch.config import load_config
    from storywatch.pipeline import run_cycle

    start = time.perf_counter()
    cfg = load_config(config)
    with replay_if_enabled(cfg) as served:
        result = run_cycle(served, trigger="bench", console=io.StringIO(), deliver_alerts=False)
    return time.perf_counter() - start, len(result.stored)


def as_flow(config: Path) -> tuple[float, int]:
    """One cycle as the ingest flow in this process, against the running API."""
    from flows.ingest import ingest

    start = time.perf_counter()
    result: Any = ingest(config=str(config), deliver=False)
    return time.perf_counter() - start, len(result.stored)


def via_deployment(config: Path, api: str) -> tuple[float, int, float]:
    """One cycle through the served deployment; (seconds, stored, seconds the flow itself ran)."""
    import httpx
    from prefect.deployments import run_deployment

    start = time.perf_counter()
    run: Any = run_deployment("ingest/ingest", parameters={"config": str(config), "deliver": False}, timeout=600)
    wall = time.perf_counter() - start
    assert run.state is not None and run.state.is_completed(), run.state
    body = httpx.get(f"{api}/flow_runs/{run.id}", timeout=10).json()
    return wall, stored(config), float(body.get("total_run_time") or 0.0)


def stored(config: Path) -> int:
    """Articles in the config's database."""
    from sqlalchemy import func, select

    from storage.db import make_engine, session_factory
    from storage.models import Article
    from storywatch.config import load_config

    engine = make_engine(load_config(config).database)
    try:
        with session_factory(engine)() as s:
            return int(s.scalar(select(func.count(Article.id))) or 0)
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(path: Path, text: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise SystemExit(f"serve exited: {path.read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)
    raise SystemExit(f"serve did not come up: {path.read_text(errors='replace')[-2000:]}")


def fmt(values: list[float]) -> str:
    return f"median {statistics.median(values):6.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed cycles per way (default 3)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    tmp = Path(tempfile.mkdtemp(prefix="storywatch-bench-"))
    from flows.server import PrefectServer, find_or_start_server, start_server

    server: PrefectServer
    if os.environ.get("PREFECT_API_URL"):
        server = find_or_start_server(log_path=tmp / "server.log")
    else:
        home = tmp / "prefect-home"
        home.mkdir()
        os.environ["PREFECT_HOME"] = str(home)
        print("starting a Prefect server (not timed) …", file=sys.stderr)
        server = start_server(free_port(), log_path=tmp / "server.log", home=str(home), timeout=180)
    os.environ["PREFECT_API_URL"] = server.api_url
    serve_proc: subprocess.Popen[bytes] | None = None
    n = 0
    try:
        t0 = time.perf_counter()
        import flows.ingest  # noqa: F401  -- import cost reported, not counted per cycle

        import_s = time.perf_counter() - t0
        n += 1
        pure(write_config(tmp, n))  # warm-up: imports, extractor models, first migration
        pure_s, flow_s, dep_s, dep_in_flow = [], [], [], []
        articles = set()
        for _ in range(args.repeat):
            n += 1
            s, k = pure(write_config(tmp, n))
            pure_s.append(s)
            articles.add(k)
            n += 1
            s, k = as_flow(write_config(tmp, n))
            flow_s.append(s)
            articles.add(k)
        env = {**os.environ, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
        log = tmp / "serve.log"
        with open(log, "wb") as out:
            serve_proc = subprocess.Popen([sys.executable, "-m", "storywatch.cli", "--config",
                                           str(write_config(tmp, 0)), "serve", "--only", "ingest"],
                                          cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)
        wait_for(log, "ingest/ingest", serve_proc)
        for _ in range(args.repeat):
            n += 1
            s, k, inside = via_deployment(write_config(tmp, n), server.api_url)
            dep_s.append(s)
            dep_in_flow.append(inside)
            articles.add(k)
    finally:
        if serve_proc is not None and serve_proc.poll() is None:
            serve_proc.send_signal(2)  # SIGINT, like Ctrl-C
            try:
                serve_proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve_proc.kill()
        server.stop()
    base = statistics.median(pure_s)
    print(f"ingest cycle over the bundled replay ({'/'.join(str(a) for a in sorted(articles))} articles stored "
          f"per cycle, fresh database each time; {os.cpu_count()} cores)")
    print(f"  pure pipeline               {fmt(pure_s)}")
    print(f"  flow, running server        {fmt(flow_s)}   overhead {statistics.median(flow_s) - base:+.2f} s")
    print(f"  deployment (serve, poll 1s) {fmt(dep_s)}   overhead {statistics.median(dep_s) - base:+.2f} s "
          f"(flow body {statistics.median(dep_in_flow):.2f} s; the rest is queueing and process start)")
    print(f"  one-time `import flows.ingest` (prefect): {import_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
