"""The benchmark corpus: deterministic, realistic weight, feeds of realistic length, ETag/304."""

from __future__ import annotations

import json
import urllib.request
from urllib.error import HTTPError

import pytest

from bench import corpus as corpus_mod
from bench.corpus import FEED_MAX, FEED_MIN, Corpus, serve

BASES = [f"http://127.0.0.1:{9000 + s}" for s in range(10)]


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    a, b, c = Corpus(120, seed=7), Corpus(120, seed=7), Corpus(120, seed=8)
    assert [a.page(i, BASES) for i in range(0, 120, 13)] == [b.page(i, BASES) for i in range(0, 120, 13)]
    assert a.feed(0, BASES) == b.feed(0, BASES)
    assert a.page(5, BASES) != c.page(5, BASES)


def test_pages_weigh_like_news_pages_and_tell_the_story() -> None:
    c = Corpus(400, seed=1)
    sizes = [len(c.page(i, BASES)) for i in range(0, 400, 7)]
    assert min(sizes) >= 25 * 1024 and max(sizes) <= 160 * 1024
    roles = {a.role for a in c.articles}
    assert {"original", "wire", "wire_edit", "rewrite", "offtopic"} <= roles
    story = b"".join(c.page(i, BASES) for i in range(0, 400, 9))
    for word in (b"Takaichi", b"Kim Jong Un", b"KCNA", b"abduct", b"Seoul", b"<nav", b"<script", b"<style", b"<footer"):
        assert word in story


def test_wire_copies_share_their_body() -> None:
    c = Corpus(600, seed=3)
    by_event: dict[int, list[int]] = {}
    for a in c.articles:
        if a.role == "wire" and a.event is not None:
            by_event.setdefault(a.event, []).append(a.index)
    pairs = [v for v in by_event.values() if len(v) > 1]
    assert pairs
    i, j = pairs[0][:2]
    assert c.body(i) == c.body(j)
    assert c.articles[i].site != c.articles[j].site or c.articles[i].path != c.articles[j].path


def test_feeds_have_realistic_length_and_cover_every_article() -> None:
    c = Corpus(1000, seed=1)
    assert all(FEED_MIN <= len(f.items) <= FEED_MAX for f in c.feeds)
    covered = {i for f in c.feeds for i in f.items}
    assert len(covered) == c.n  # every article is in some feed: a cycle plans them all


def test_server_answers_pages_feeds_and_304() -> None:
    c = Corpus(60, seed=2, sites=3)
    served = serve(c, preload=True)
    try:
        url = served.feed_urls()[0]
        with urllib.request.urlopen(url, timeout=5) as resp:
            body, etag = resp.read(), resp.headers["ETag"]
        assert body.startswith(b"<?xml") and b"<item>" in body and etag
        req = urllib.request.Request(url, headers={"If-None-Match": etag})
        with pytest.raises(HTTPError) as err:
            urllib.request.urlopen(req, timeout=5)
        assert err.value.code == 304
        page_url = c.url(0, served.bases)
        with urllib.request.urlopen(page_url, timeout=5) as resp:
            assert resp.read() == c.page(0, served.bases)
        with urllib.request.urlopen(served.bases[0] + "/robots.txt", timeout=5) as resp:
            assert b"User-agent" in resp.read()
    finally:
        served.close()


def test_cli_stats_and_write_print_json(tmp_path, capsys) -> None:
    assert corpus_mod.main(["stats", "--n", "40"]) == 0
    stats = json.loads(capsys.readouterr().out.strip())
    assert stats["n"] == 40 and stats["page_kb_min"] > 0
    assert corpus_mod.main(["write", str(tmp_path / "site"), "--n", "20", "--sites", "2"]) == 0
    out = json.loads(capsys.readouterr().out.strip())
    assert out["n"] == 20
    assert len(list((tmp_path / "site").rglob("*.html"))) == 20
    assert json.loads((tmp_path / "site" / "manifest.json").read_text())["feeds"]
