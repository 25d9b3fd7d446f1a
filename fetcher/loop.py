"""One event loop and one :class:`~fetcher.client.Fetcher` for a whole run of batches.

``asyncio.run`` per batch of fetches means a new event loop each time, so a new Fetcher:
every connection is opened again, robots.txt fetched again and per-host pacing forgotten.
:class:`FetchLoop` keeps a loop (``asyncio.Runner``) and a Fetcher open between batches, so
keep-alive connections, robots.txt rules and per-host delays carry over from one batch
to the next. Called from a thread that already runs an event loop (e.g. inside Prefect),
its loop runs in a dedicated thread instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TypeVar

import httpx

from fetcher.client import Fetcher
from fetcher.settings import FetchSettings

T = TypeVar("T")


class FetchLoop:
    """``with FetchLoop(settings) as loop: loop.run(lambda fetcher: coro(fetcher))`` -- one Fetcher throughout."""

    def __init__(self, settings: FetchSettings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport
        self._runner: asyncio.Runner | None = None
        self._thread: ThreadPoolExecutor | None = None
        self._fetcher: Fetcher | None = None

    def __enter__(self) -> FetchLoop:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:  # this thread's loop is busy: ours gets a thread of its own (always the same one)
            self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storywatch-fetch")
        self._runner = asyncio.Runner()
        try:
            self._fetcher = self._call(self._open)
        except BaseException:
            self._close_runner()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def fetcher(self) -> Fetcher:
        """The Fetcher of this loop (only to be used inside :meth:`run`)."""
        if self._fetcher is None:
            raise RuntimeError("FetchLoop is not open: use it as a context manager")
        return self._fetcher

    def run(self, job: Callable[[Fetcher], Awaitable[T]]) -> T:
        """Run ``job(fetcher)`` on the loop until it completes and return its result."""
        fetcher = self.fetcher
        return self._call(lambda: job(fetcher))

    def close(self) -> None:
        """Close the Fetcher's connections and the loop (idempotent)."""
        if self._runner is None:
            return
        fetcher, self._fetcher = self._fetcher, None
        try:
            if fetcher is not None:
                self._call(fetcher.aclose)
        finally:
            self._close_runner()

    # -- internals ---------------------------------------------------------------------------------

    async def _open(self) -> Fetcher:
        return Fetcher(self.settings, transport=self._transport)

    def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        runner = self._runner
        assert runner is not None

        def go() -> T:
            async def main() -> T:
                return await make()

            return runner.run(main())

        if self._thread is None:
            return go()
        return self._thread.submit(go).result()

    def _close_runner(self) -> None:
        runner, self._runner = self._runner, None
        try:
            if runner is not None:
                if self._thread is None:
                    runner.close()
                else:
                    self._thread.submit(runner.close).result()
        finally:
            if self._thread is not None:
                self._thread.shutdown(wait=True)
                self._thread = None
