"""Two `storywatch run` processes at the same moment store and alert everything exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, session_factory
from storage.models import Alert, Article
from tests.servers.site import Site
from tests.test_pipeline_e2e import publish


@pytest.mark.slow
def test_two_runs_at_once(db_url: str, tmp_path: Path) -> None:
    t = lambda d, h: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    with Site() as site:
        publish(site, "eastwire", [("/eastwire/summit", "wire-summit-call.html", t(18, 3)),
                                   ("/eastwire/families", "families-back-talks.html", t(19, 8)),
                                   ("/eastwire/kcna", "kcna-reply.html", t(20, 1))])
        publish(site, "harbour", [("/harbour/summit", "reprint-summit-call.html", t(18, 5))])
        cfg = tmp_path / "c.yaml"
        cfg.write_text(json.dumps({
            "database": db_url,
            "fetch": {"allow_private_addresses": True},
            "sources": [{"name": n, "url": f"{site.base_url}/feeds/{n}.xml"} for n in ("eastwire", "harbour")],
            "report": {"path": None},
        }), encoding="utf-8")
        cmd = [sys.executable, "-m", "storywatch.cli", "--config", str(cfg), "run", "--as-of",
               "2026-11-20T12:00:00Z", "--json"]
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=240) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err.lower() and "Traceback" not in err
    results = [json.loads(out) for out, _err in outs]
    assert sum(len(r["stored"]) for r in results) == 4
    assert sum(r["stats"]["alerts_delivered"] for r in results) == 3
    engine = make_engine(db_url)
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count(Article.id))) == 4
        statuses = list(s.scalars(select(Alert.status)))
    engine.dispose()
    assert sorted(statuses) == ["sent", "sent", "sent"]
