"""Exact and near-duplicate fingerprints of an article (pure, deterministic across processes).

* ``content_hash``: SHA-256 of the normalised title + body (exact copies, typography-insensitive).
* ``signature``: a 128-value MinHash of the body's 3-token shingles (estimates Jaccard).
* ``band_keys``: 32 LSH bands of 4 rows each, hashed to signed int64 (fits a BIGINT index).
  With 32x4 bands a pair at Jaccard 0.5 shares a band with p~0.87, at 0.6 with p~0.99,
  at 0.3 with p~0.23 -- candidates are then verified with the full signature.
* ``lead_signature``: a 32-value MinHash of the first 60 tokens of the body, counted from its
  first substantial paragraph (editor's notes, correction and update lines are skipped).
* ``opening_signature`` / ``opening_keys``: a 32-value MinHash of that paragraph alone and its
  8 LSH bands of 4 rows (a trimmed copy keeps the opening even when its body Jaccard is low).
* ``shingle_count``: the number of distinct body shingles, so that the containment of the
  smaller text in the larger can be estimated from the Jaccard (0 = unknown: stored before).
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np

from dedupe.errors import FingerprintFormatError
from dedupe.normalize import normalize_text, shingle_list, tokens
from dedupe.opening import first_own, paragraphs

SCHEME = "minhash-v1"
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
_MERSENNE = np.uint64((1 << 61) - 1)
_MAX32 = np.uint64(0xFFFFFFFF)

SHINGLE = 3  # tokens per shingle (``dedupe.normalize.shingle_list``'s default k)
LEAD_TOKENS = 60
LEAD_PERM = 32
OPENING_BANDS = LEAD_PERM // ROWS  # bands of ROWS values, as the body's
# band numbers of the opening keys, apart from the body's 0..BANDS-1 in the same key index
_OPENING_BAND_BASE = 1000
EMPTY_SIGNATURE: tuple[int, ...] = (0xFFFFFFFF,) * NUM_PERM

_rng = np.random.RandomState(20260220)
_A = _rng.randint(1, 1 << 31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_B = _rng.randint(0, 1 << 31, size=NUM_PERM, dtype=np.int64).astype(np.uint64)


@dataclass(frozen=True)
class Fingerprint:
    """Exact hash, MinHash signature and LSH band keys of one article."""

    content_hash: str
    signature: tuple[int, ...]
    band_keys: tuple[int, ...]
    # MinHash of the opening of the body: wire stories that reuse background paragraphs
    # share a signature but not a lead, copies of one story share both.
    lead_signature: tuple[int, ...] = ()
    # MinHash of the first substantial paragraph alone, its LSH keys, and the number of body
    # shingles: together they recognise trimmed copies (the copy is contained in the original).
    opening_signature: tuple[int, ...] = ()
    opening_keys: tuple[int, ...] = ()
    shingle_count: int = 0


def _stable_tokens(norm: str) -> list[str]:
    """``tokens(norm)`` for a ``normalize_text`` result, without normalising it a second time.

    When NFKC and case folding leave ``norm`` as it is (always for ASCII), its tokens are its
    space-separated words: ``normalize_text`` joined exactly the tokens it found.
    """
    if not norm:
        return []
    if norm.isascii() or (unicodedata.is_normalized("NFKC", norm) and norm.casefold() == norm):
        return norm.split(" ")
    return tokens(norm)


def _hashes(shingle_list: list[str]) -> np.ndarray:
    """32-bit BLAKE2b of each shingle (little-endian, as uint64)."""
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(s.encode(), digest_size=4).digest() for s in shingle_list])
    return np.frombuffer(digests, dtype="<u4").astype(np.uint64)


def _minhash(hashes: np.ndarray, perms: int = NUM_PERM) -> tuple[int, ...]:
    """The first ``perms`` values of the MinHash of a set, given its members' hashes (repeats allowed)."""
    if hashes.size == 0:
        return EMPTY_SIGNATURE[:perms]
    # (a*x + b) mod p, truncated to 32 bits; x < 2^32 and a, b < 2^31 keep this below 2^64.
    x = np.multiply.outer(hashes, _A[:perms])
    x += _B[:perms]
    # x mod (2^61 - 1) without a division: fold the top bits (< 8) onto the low 61, subtract p once if needed
    high = x >> np.uint64(61)
    x &= _MERSENNE
    x += high
    np.subtract(x, _MERSENNE, out=x, where=x >= _MERSENNE)
    x &= _MAX32
    return tuple(x.min(axis=0).tolist())


_BAND = struct.Struct(f"<I{ROWS}I")
_KEY = struct.Struct("<q")


def _lsh_keys(signature: tuple[int, ...], bands: int, first_band: int = 0) -> tuple[int, ...]:
    """One signed 64-bit key per band of ``ROWS`` values: BLAKE2b of the band number and its rows."""
    blake2b = hashlib.blake2b
    return tuple(
        _KEY.unpack(blake2b(_BAND.pack(first_band + band, *signature[band * ROWS : (band + 1) * ROWS]),
                            digest_size=8).digest())[0]
        for band in range(bands)
    )


def _band_keys(signature: tuple[int, ...]) -> tuple[int, ...]:
    return _lsh_keys(signature, BANDS)


def fingerprint(title: str, text: str) -> Fingerprint:
    """Fingerprint an article: exact hash of title+body, MinHash and band keys of the body.

    The body alone feeds MinHash so that a syndicated copy with a rewritten headline is
    still a near-duplicate; when the body is empty the title stands in.
    """
    norm_title = normalize_text(title)
    norm_body = normalize_text(text)
    content_hash = hashlib.sha256(f"{norm_title}\n{norm_body}".encode()).hexdigest()
    basis = norm_body or norm_title
    toks = _stable_tokens(basis)
    per_shingle = _hashes(shingle_list(toks))
    signature = _minhash(per_shingle)
    # the lead's shingles are the first ones of the body (its first LEAD_TOKENS tokens), unless the
    # basis needs normalising again (then its lead is shingled on its own, as the basis is)
    lead_toks = basis.split(" ")[:LEAD_TOKENS]
    if toks[:LEAD_TOKENS] == lead_toks and len(toks) > SHINGLE:
        lead_hashes = per_shingle[: len(lead_toks) - SHINGLE + 1]
    else:
        lead_hashes = _hashes(shingle_list(tokens(" ".join(lead_toks))))
    # the lead and the opening start at the first substantial paragraph: a leading editor's note,
    # notice or byline is skipped (without one the lead is the body's first tokens, as above)
    paras = paragraphs(text) if norm_body else []
    own = first_own(paras)
    if own:
        lead_hashes = _hashes(shingle_list(tokens("\n\n".join(paras[own:]))[:LEAD_TOKENS]))
    lead_sig = _minhash(lead_hashes, LEAD_PERM)
    opening_toks = tokens(paras[own]) if paras else _stable_tokens(norm_title)
    opening_sig = _minhash(_hashes(shingle_list(opening_toks[:LEAD_TOKENS])), LEAD_PERM)
    return Fingerprint(content_hash, signature, _band_keys(signature), lead_sig,
                       opening_sig, _opening_keys(opening_sig), int(np.unique(per_shingle).size))


def _opening_keys(opening_signature: tuple[int, ...]) -> tuple[int, ...]:
    """LSH keys of an opening signature: OPENING_BANDS bands numbered apart from the body's."""
    if len(opening_signature) != LEAD_PERM or opening_signature == EMPTY_SIGNATURE[:LEAD_PERM]:
        return ()
    return _lsh_keys(opening_signature, OPENING_BANDS, _OPENING_BAND_BASE)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two articles' shingle sets (1.0 for exact copies)."""
    if a.content_hash == b.content_hash:
        return 1.0
    if a.signature == EMPTY_SIGNATURE or b.signature == EMPTY_SIGNATURE:
        return 0.0
    return _matching_share(a.signature, b.signature) or 0.0


def _matching_share(a: tuple[int, ...], b: tuple[int, ...]) -> float | None:
    """The share of equal values of two MinHash signatures (their estimated Jaccard), None when not comparable."""
    if not a or len(a) != len(b):
        return None
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def lead_similarity(a: Fingerprint, b: Fingerprint) -> float | None:
    """Estimated Jaccard of the two bodies' openings, or None when either lacks a lead signature."""
    return _matching_share(a.lead_signature, b.lead_signature)


def opening_similarity(a: Fingerprint, b: Fingerprint) -> float | None:
    """Estimated Jaccard of the two bodies' first substantial paragraphs, or None when either lacks one."""
    return _matching_share(a.opening_signature, b.opening_signature)


def containment(a: Fingerprint, b: Fingerprint, *, jaccard: float | None = None) -> float | None:
    """Estimated share of the smaller body's shingles found in the larger one, or None when unknown.

    |A∩B| is estimated from the MinHash Jaccard J and the two sizes: J (|A|+|B|) / (1+J).
    None when either size is unknown (fingerprints stored before sizes were recorded).
    """
    if a.shingle_count <= 0 or b.shingle_count <= 0:
        return None
    j = similarity(a, b) if jaccard is None else jaccard
    inter = j * (a.shingle_count + b.shingle_count) / (1.0 + j)
    return min(1.0, inter / min(a.shingle_count, b.shingle_count))


def to_json(fp: Fingerprint) -> dict[str, Any]:
    """A JSON-serialisable form of ``fp`` (stored in ``articles.fingerprint``)."""
    return {
        "scheme": SCHEME,
        "content_hash": fp.content_hash,
        "signature": list(fp.signature),
        "band_keys": list(fp.band_keys),
        "lead_signature": list(fp.lead_signature),
        "opening_signature": list(fp.opening_signature),
        "shingles": fp.shingle_count,
    }


def from_json(d: dict[str, Any]) -> Fingerprint:
    """The fingerprint serialised by :func:`to_json`; raises FingerprintFormatError otherwise."""
    try:
        if d.get("scheme") != SCHEME:
            raise FingerprintFormatError(f"unknown fingerprint scheme {d.get('scheme')!r}")
        sig = tuple(int(x) for x in d["signature"])
        keys = tuple(int(x) for x in d["band_keys"])
        if len(sig) != NUM_PERM or len(keys) != BANDS:
            raise FingerprintFormatError("fingerprint has the wrong number of values")
        lead = tuple(int(x) for x in d.get("lead_signature", ()))
        opening = tuple(int(x) for x in d.get("opening_signature", ()))
        count = int(d.get("shingles", 0))
        return Fingerprint(str(d["content_hash"]), sig, keys, lead, opening, _opening_keys(opening), count)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise FingerprintFormatError(f"malformed fingerprint: {exc}") from exc
