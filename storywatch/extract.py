"""``storywatch extract``: what the pipeline would store for given pages, via the same code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fetcher.client import Fetcher, FetchRequest
from fetcher.errors import FetchError
from fetcher.settings import FetchSettings
from parsers.dates import format_iso
from parsers.errors import ParseError
from parsers.models import Article
from storywatch.pipeline import _parse_job, _run_async


def is_url(text: str) -> bool:
    """True for http(s) URLs; anything else is read as a file."""
    return text.startswith(("http://", "https://"))


def article_json(source: str, article: Article) -> dict[str, Any]:
    """The fields the pipeline stores for an article, as JSON-able values."""
    return {
        "input": source,
        "url": article.url,
        "title": article.title,
        "published": format_iso(article.published),
        "published_source": article.published_source,
        "updated": format_iso(article.updated),
        "lang": article.lang,
        "canonical_url": article.canonical_url,
        "byline": article.byline,
        "site_name": article.site_name,
        "paywalled": article.paywalled,
        "text": article.text,
    }


def extract_many(inputs: Sequence[str], settings: FetchSettings, *, file_url: str | None = None) -> list[dict[str, Any]]:
    """Extract every input (URLs fetched concurrently); errors are reported per input."""
    urls = [i for i in inputs if is_url(i)]
    fetched: dict[str, Any] = {}
    if urls:
        fetched = dict(zip(urls, _run_async(_fetch(urls, settings)), strict=True))
    out: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for item in inputs:
        try:
            if is_url(item):
                resp = fetched[item]
                if isinstance(resp, FetchError):
                    raise resp
                article = _parse_job(resp.content, resp.final_url, resp.fetched_at, resp.encoding)
            else:
                path = Path(item)
                data = path.read_bytes()
                article = _parse_job(data, file_url or path.resolve().as_uri(), now, None)
            out.append(article_json(item, article))
        except (FetchError, ParseError, OSError) as exc:
            out.append({"input": item, "error": f"{type(exc).__name__}: {exc}"})
    return out


async def _fetch(urls: Sequence[str], settings: FetchSettings) -> list[Any]:
    async with Fetcher(settings) as fetcher:
        return list(await fetcher.fetch_many([FetchRequest(url=u, kind="page") for u in urls]))
