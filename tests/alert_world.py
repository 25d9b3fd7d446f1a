"""A small story world for the alert tests: a real database, developments with articles, and a
worker entry point that tests run as a subprocess (``python -m tests.alert_world ...``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alerting import outbox
from alerting.policy import AlertPolicy, ChannelSpec, resolve_channels
from storage import alerts as q
from storage.db import make_engine, session_factory, transaction, upgrade
from storage.models import Article, Development, WatchArticle

T0 = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
WATCH = "takaichi-kim"
EVIL_TITLE = 'Pyongyang answers <script>alert("x")</script> & "Tokyo" talks'


@dataclass(frozen=True)
class FakeDecision:
    """The fields of detection.engine.Decision that enqueue reads."""

    development_id: int
    kind: str
    relevant: bool = True
    created: bool = True
    is_new: bool = True
    updated: bool = False
    escalated: bool = False
    revision: int = 1
    explanation: str = ""


def open_db(url: str) -> sessionmaker[Session]:
    """Migrate the database at ``url`` and return a session factory."""
    upgrade(url)
    return session_factory(make_engine(url))


_counter = [0]


def add_development(
    session: Session,
    *,
    kind: str = "pyongyang_reply",
    title: str = EVIL_TITLE,
    outlets: tuple[str, ...] = ("Kyodo News", "Yonhap", "NHK World"),
    when: datetime = T0,
    watch: str = WATCH,
) -> Development:
    """A development with one article per outlet (the first is the first reporter)."""
    _counter[0] += 1
    tag = f"{os.getpid()}-{_counter[0]}-{int(time.time() * 1e6)}"
    dev = Development(watch=watch, kind=kind, title=title, first_seen=when, first_published=when,
                      last_updated=when, revision=1, alert_worthy=True, is_new=True)
    session.add(dev)
    session.flush()
    for i, outlet in enumerate(outlets):
        url = f"https://news{i}.example.org/story/{tag}?a=1&b=2"
        art = Article(
            url=url, canonical_url=url, source=outlet.lower().replace(" ", "-"), site_name=outlet,
            title=f"{title} ({outlet})",
            text=("The foreign ministry in Tokyo said on Saturday that a written reply had arrived through "
                  "the embassy channel in Beijing. "
                  "Officials declined to describe the contents of the reply in any detail at this stage. "
                  "Relatives of those taken in the 1970s & 1980s said they wanted <b>answers</b> soon."),
            published=when + timedelta(minutes=10 * i), first_seen=when + timedelta(minutes=10 * i + 1),
            content_hash=f"h{tag}{i}", fingerprint={},
        )
        session.add(art)
        session.flush()
        if i == 0:
            dev.first_article_id = art.id
        session.add(WatchArticle(watch=watch, article_id=art.id, relevant=True, development_id=dev.id,
                                 kind=kind, decided_at=when))
    session.flush()
    return dev


def record_and_enqueue(factory: sessionmaker[Session], policy: AlertPolicy, channels: list[str],
                       now: datetime = T0, **dev_kw: Any) -> list[int]:
    """Record a development and its alerts in one transaction (as the pipeline does)."""
    with transaction(factory) as s:
        dev = add_development(s, when=now, **dev_kw)
        return outbox.enqueue(s, watch_name=WATCH, policy=policy, channels=channels, development=dev,
                              decision=FakeDecision(dev.id, dev.kind), now=now)


def statuses(factory: sessionmaker[Session]) -> dict[int, str]:
    """Alert id -> status."""
    with factory() as s:
        return {a.id: a.status for a in q.list_alerts(s, limit=10_000)}


def main(argv: list[str] | None = None) -> int:
    """Worker used by the fault tests: ``enqueue-claim`` then hang, or ``deliver`` once."""
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["enqueue-claim", "deliver"])
    ap.add_argument("--db", required=True)
    ap.add_argument("--url", required=True, help="Apprise URL of the channel 'hook'")
    ap.add_argument("--now", required=True)
    ap.add_argument("--go-file", default=None, help="wait until this file exists before delivering")
    args = ap.parse_args(argv)
    now = datetime.fromisoformat(args.now)
    policy = AlertPolicy()
    factory = session_factory(make_engine(args.db))
    channels = resolve_channels({"hook": ChannelSpec(url=args.url)}, env={})
    if args.cmd == "enqueue-claim":
        ids = record_and_enqueue(factory, policy, ["hook"], now=now, title="Crash test development")
        with transaction(factory) as s:
            for i in ids:
                assert q.claim(s, i, "crashed-worker", now, now + timedelta(seconds=policy.claim_seconds))
        print(json.dumps({"claimed": ids}), flush=True)
        time.sleep(600)  # killed here, before delivery
        return 0
    if args.go_file:
        print("ready", flush=True)
        deadline = time.monotonic() + 60
        while not Path(args.go_file).exists():
            if time.monotonic() > deadline:
                return 3
            time.sleep(0.002)
    report = outbox.deliver_pending(factory, policy, channels, now=now, console=sys.stdout)
    print(json.dumps({"sent": list(report.sent_ids), "skipped": report.skipped_claimed,
                      "errors": report.errors}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
