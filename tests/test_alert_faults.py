"""Faults: a process killed between enqueue and delivery, and two deliveries at the same moment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from alerting import outbox
from alerting.policy import AlertPolicy, ChannelSpec, resolve_channels
from storage import alerts as q
from tests.alert_world import (
    T0,
    open_db,
    record_and_enqueue,
    statuses,
)
from tests.servers.webhook import WebhookServer

ROOT = Path(__file__).resolve().parents[1]


def _worker(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.alert_world", *args], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONHASHSEED": "0"})


@pytest.mark.slow
def test_sigkill_after_claim_then_restart_delivers_exactly_once(db_url: str) -> None:
    factory = open_db(db_url)
    policy = AlertPolicy()
    with WebhookServer() as hook:
        proc = _worker("enqueue-claim", "--db", db_url, "--url", hook.url(), "--now", T0.isoformat())
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            [alert_id] = json.loads(line)["claimed"]
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
        assert statuses(factory) == {alert_id: "pending"}
        # the dead worker's lease still holds: nobody sends it yet
        r = outbox.deliver_pending(factory, policy, channels, now=T0 + timedelta(seconds=10))
        assert r.deliveries == () and hook.received() == []
        after_lease = T0 + timedelta(seconds=policy.claim_seconds + 1)
        r = outbox.deliver_pending(factory, policy, channels, now=after_lease)
        assert r.sent_ids == (alert_id,)
        assert outbox.deliver_pending(factory, policy, channels, now=after_lease + timedelta(hours=1)).deliveries == ()
        got = hook.received()
    assert len(got) == 1 and "Crash test development" in got[0].json()["title"]
    with factory() as s:
        assert [a.ok for a in q.attempts_of(s, alert_id)] == [True]


@pytest.mark.slow
def test_sigkill_before_claim_loses_nothing(db_url: str, tmp_path: Path) -> None:
    """Killed right after the enqueue transaction committed: the next run delivers it."""
    factory = open_db(db_url)
    policy = AlertPolicy()
    ids = record_and_enqueue(factory, policy, ["hook"], title="Committed, never delivered")
    with WebhookServer() as hook:
        channels = resolve_channels({"hook": ChannelSpec(url=hook.url())}, env={})
        assert outbox.deliver_pending(factory, policy, channels, now=T0).sent_ids == tuple(ids)
        assert len(hook.received()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("n_alerts", [12])
def test_two_deliveries_at_the_same_moment_send_each_alert_once(db_url: str, tmp_path: Path, n_alerts: int) -> None:
    factory = open_db(db_url)
    policy = AlertPolicy()
    ids = []
    for i in range(n_alerts):
        ids += record_and_enqueue(factory, policy, ["hook"], title=f"Concurrent development #{i:02d}")
    go = tmp_path / "go"
    with WebhookServer() as hook:
        procs = [_worker("deliver", "--db", db_url, "--url", hook.url(), "--now", T0.isoformat(),
                         "--go-file", str(go)) for _ in range(2)]
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        go.touch()
        outs = [p.communicate(timeout=120) for p in procs]
        received = hook.received()
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err and "locked" not in err.lower()
        assert json.loads(out.strip().splitlines()[-1])["errors"] == []
    sent = [json.loads(out.strip().splitlines()[-1])["sent"] for out, _ in outs]
    assert sorted(sent[0] + sent[1]) == sorted(ids)
    titles = Counter(r.json()["title"] for r in received)
    assert len(received) == n_alerts and all(c == 1 for c in titles.values())
    assert set(statuses(factory).values()) == {"sent"}
