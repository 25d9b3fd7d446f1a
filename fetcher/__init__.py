"""The fetch stage: polite, bounded, conditional HTTP for feeds and article pages."""

from fetcher.aggregators import needs_following, resolve_aggregator_link
from fetcher.client import Fetcher, FetchRequest, FetchResponse, fetch_all
from fetcher.errors import FetchError
from fetcher.settings import FetchSettings

__all__ = [
    "FetchError",
    "FetchRequest",
    "FetchResponse",
    "FetchSettings",
    "Fetcher",
    "fetch_all",
    "needs_following",
    "resolve_aggregator_link",
]
