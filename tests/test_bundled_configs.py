"""The bundled configs load, and failing sources are reported per source while the run goes on."""

from __future__ import annotations

import io
import socket

from storywatch.config import bundled_config_path, load_config, parse_config
from storywatch.pipeline import run_cycle
from tests.servers.site import Site


def test_bundled_configs_are_valid() -> None:
    default = load_config(bundled_config_path("default"))
    assert default.replay.enabled and default.sources and default.watches[0].spec.kinds
    live = load_config(bundled_config_path("live"))
    assert not live.replay.enabled
    assert len(live.sources) >= 6
    assert all(s.url.startswith("https://") for s in live.sources)
    assert live.database != default.database


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_sources_fail_one_by_one_and_the_run_completes(sqlite_url: str) -> None:
    port = closed_port()
    with Site() as site:
        site.put("/feeds/ok.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title>'
                 "</channel></rss>", "application/rss+xml")
        cfg = parse_config({
            "database": sqlite_url,
            "fetch": {"allow_private_addresses": True, "retries": 0, "connect_timeout": 2},
            "sources": [
                {"name": "refused", "url": f"http://127.0.0.1:{port}/feed.xml"},
                {"name": "missing", "url": f"{site.base_url}/feeds/missing.xml"},
                {"name": "ok", "url": f"{site.base_url}/feeds/ok.xml"},
            ],
            "report": {"path": None},
        })
        result = run_cycle(cfg, console=io.StringIO())
    by_name = {s.name: s for s in result.sources}
    assert by_name["ok"].status == "ok"
    assert by_name["refused"].status == "failed" and by_name["refused"].error
    assert by_name["missing"].status == "failed" and "404" in (by_name["missing"].error or "")
