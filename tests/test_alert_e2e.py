"""End to end: two ``storywatch run`` processes at once over the bundled replay alert each
development exactly once through a real webhook, and a later run sends nothing again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import Alert
from storywatch.config import bundled_config_path
from tests.alert_world import (
    open_db,
)
from tests.servers.webhook import WebhookServer

ROOT = Path(__file__).resolve().parents[1]


CLOCK = "2026-11-21T00:00:00Z"


def _config(tmp_path: Path, db_url: str, replay_base: str) -> Path:
    """The bundled replay config, its sources pointing at one replay server shared by both runs."""
    text = bundled_config_path("default").read_text(encoding="utf-8")
    text = text.replace("sqlite:///var/storywatch.db", db_url)
    text = text.replace("{replay}", replay_base).replace("  enabled: true", "  enabled: false", 1)
    text += "\nchannels:\n  hook:\n    url: env:STORYWATCH_TEST_HOOK\n"
    cfg = tmp_path / "e2e.yaml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


def _run(cfg: Path, hook_url: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "STORYWATCH_TEST_HOOK": hook_url, "PREFECT_API_URL": ""}
    env.pop("PREFECT_API_URL")
    exe = shutil.which("storywatch", path=str(Path(sys.executable).parent))
    argv = [exe] if exe else [sys.executable, "-c", "import sys; from storywatch.cli import main; sys.exit(main())"]
    return subprocess.Popen([*argv, "--config", str(cfg), "run", "--no-report", "--json", "--as-of", CLOCK],
                            cwd=cwd, env=env,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_two_runs_at_once_alert_each_development_exactly_once(db_url: str, tmp_path: Path) -> None:
    if not bundled_config_path("default").is_file():
        pytest.skip("the bundled replay config is absent")
    from storywatch.replay.server import ReplayServer

    factory = open_db(db_url)  # migrated once up front: this test is about the outbox, not migrations
    with ReplayServer(port=0) as replay, WebhookServer() as hook:
        cfg = _config(tmp_path, db_url, replay.base_url)
        procs = [_run(cfg, hook.url("/desk"), tmp_path) for _ in range(2)]
        outs = [p.communicate(timeout=400) for p in procs]
        for p, (_, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, err[-3000:]
            assert "Traceback" not in err and "database is locked" not in err
        first = hook.received()
        again = _run(cfg, hook.url("/desk"), tmp_path)
        _, err = again.communicate(timeout=400)
        assert again.returncode == 0, err[-3000:]
        after = hook.received()
    assert first, "the replay should produce at least one immediate alert"
    titles = Counter(r.json()["title"] for r in first)
    assert all(n == 1 for n in titles.values()), titles
    assert after == first  # the third run found nothing new to send
    with factory() as s:
        rows = list(s.scalars(select(Alert).where(Alert.channel == "hook")))
    sent = [a for a in rows if a.status == "sent"]
    assert len(sent) == len(first)
    per_dev = Counter(a.development_id for a in sent if a.development_id is not None)
    assert all(n == 1 for n in per_dev.values()), per_dev
    keys = [a.idempotency_key for a in rows]
    assert len(keys) == len(set(keys))
