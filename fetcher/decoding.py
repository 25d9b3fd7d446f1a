"""Content-Encoding decoding under a byte budget: a bomb stops at ``max_bytes``, never in memory.

httpx would inflate each network chunk whole; here every chunk is inflated with
``max_length`` so memory stays within the budget plus one window, and a size or
ratio violation raises before the rest of the stream is read.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from fetcher.errors import DecodeError, DecompressionBomb, TooLarge

ACCEPT_ENCODING = "gzip, deflate"
_STEP = 64 * 1024


class BodyDecoder:
    """Feed raw (encoded) chunks, get the decoded body; raises TooLarge/DecompressionBomb/DecodeError."""

    def __init__(
        self,
        url: str,
        content_encoding: str | None,
        *,
        max_bytes: int,
        max_ratio: float,
        ratio_min_bytes: int,
    ) -> None:
        self.url = url
        self.max_bytes = max_bytes
        self.max_ratio = max_ratio
        self.ratio_min_bytes = ratio_min_bytes
        self.raw_bytes = 0
        self._parts: list[bytes] = []
        self._size = 0
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1:
            raise DecodeError(url, f"unsupported stacked Content-Encoding {content_encoding!r}")
        self.coding = codings[0] if codings else None
        self._factory: Callable[[], zlib._Decompress] | None
        if self.coding in ("gzip", "x-gzip"):
            self._factory = lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "deflate":
            self._factory = None  # zlib-wrapped or raw: decided on the first bytes
        elif self.coding is None:
            self._factory = None
        else:
            raise DecodeError(url, f"unsupported Content-Encoding {self.coding!r}")
        self._inflater: zlib._Decompress | None = self._factory() if self._factory else None

    def feed(self, chunk: bytes) -> None:
        """Decode one raw chunk, enforcing the size and ratio limits as bytes come out."""
        if not chunk:
            return
        self.raw_bytes += len(chunk)
        if self.coding is None:
            self._emit(chunk)
            return
        if self._inflater is None:  # deflate: zlib header or raw?
            wbits = zlib.MAX_WBITS if _looks_zlib(chunk) else -zlib.MAX_WBITS
            self._factory = lambda: zlib.decompressobj(wbits)
            self._inflater = self._factory()
        data = chunk
        while data:
            inflater = self._inflater
            try:
                out = inflater.decompress(data, _STEP)
            except zlib.error as exc:
                raise DecodeError(self.url, f"corrupt {self.coding} body: {exc}") from exc
            self._emit(out)
            if inflater.unconsumed_tail:
                data = inflater.unconsumed_tail
            elif inflater.eof and inflater.unused_data and self._factory is not None:
                data = inflater.unused_data  # another gzip member follows
                self._inflater = self._factory()
            else:
                data = b""

    def finish(self) -> bytes:
        """The whole decoded body (after the last chunk)."""
        if self._inflater is not None:
            try:
                self._emit(self._inflater.flush())
            except zlib.error as exc:
                raise DecodeError(self.url, f"corrupt {self.coding} body: {exc}") from exc
        return b"".join(self._parts)

    def _emit(self, out: bytes) -> None:
        if not out:
            return
        self._size += len(out)
        if self._size > self.max_bytes:
            if self.coding is None:
                raise TooLarge(self.url, f"body exceeds max_bytes={self.max_bytes} (stopped reading)")
            raise DecompressionBomb(
                self.url,
                f"{self.coding} body inflates beyond max_bytes={self.max_bytes} "
                f"from {self.raw_bytes} compressed bytes (decompression bomb?)",
            )
        if (
            self.coding is not None
            and self._size >= self.ratio_min_bytes
            and self._size > self.max_ratio * max(self.raw_bytes, 1)
        ):
            raise DecompressionBomb(
                self.url,
                f"{self.coding} body inflates {self._size / max(self.raw_bytes, 1):.0f}:1, "
                f"above max_decompressed_ratio={self.max_ratio:g} (decompression bomb?)",
            )
        self._parts.append(out)


def _looks_zlib(chunk: bytes) -> bool:
    if len(chunk) < 2:
        return True
    cmf, flg = chunk[0], chunk[1]
    return (cmf & 0x0F) == 8 and ((cmf << 8) | flg) % 31 == 0
