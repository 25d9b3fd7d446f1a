"""Pure fingerprint behaviour: exact hash, near-duplicate similarity, serialisation."""

from __future__ import annotations

import pytest

from dedupe.errors import FingerprintFormatError
from dedupe.fingerprint import BANDS, NUM_PERM, fingerprint, from_json, lead_similarity, similarity, to_json

BODY = (
    "Japan's prime minister said on Monday that her government had asked the North Korean side for a leaders' "
    "meeting to settle the fate of citizens taken decades ago. Officials in Tokyo declined to say how the "
    "message was passed. Relatives of the missing welcomed the step but said time was short. The two "
    "countries have no formal ties and previous attempts at talks collapsed over the same dispute."
)


def test_exact_copy_same_hash_despite_typography() -> None:
    a = fingerprint("Leader seeks meeting", BODY)
    b = fingerprint("Leader  seeks   MEETING", BODY.replace("'", "’"))
    assert a.content_hash == b.content_hash
    assert similarity(a, b) == 1.0


def test_syndicated_copy_is_near_duplicate_and_shares_band_keys() -> None:
    a = fingerprint("Leader seeks meeting", BODY)
    b = fingerprint("Leader seeks meeting | Metro Herald", BODY + "\n\nCopyright The Wire. All rights reserved.")
    assert a.content_hash != b.content_hash
    assert similarity(a, b) >= 0.7
    assert set(a.band_keys) & set(b.band_keys)


def test_unrelated_text_is_not_similar() -> None:
    a = fingerprint("Leader seeks meeting", BODY)
    b = fingerprint("Storm hits coast", "Heavy rain flooded several towns along the coast overnight, "
                    "forcing thousands of residents to leave their homes as rivers burst their banks.")
    assert similarity(a, b) < 0.2
    assert lead_similarity(a, b) is not None and lead_similarity(a, b) < 0.2  # type: ignore[operator]


def test_shapes_and_signed_int64_keys() -> None:
    fp = fingerprint("t", BODY)
    assert len(fp.signature) == NUM_PERM and len(fp.band_keys) == BANDS
    assert all(-(2**63) <= k < 2**63 for k in fp.band_keys)


def test_cjk_text_gets_a_signature() -> None:
    a = fingerprint("高市首相", "高市早苗首相は3日、金正恩総書記との首脳会談を行いたい意向を北朝鮮側に伝えたと明らかにした。")
    b = fingerprint("高市首相", "高市早苗首相は3日、金正恩総書記との首脳会談を行いたい意向を北朝鮮側に伝えたと明らかにした。共同")
    assert similarity(a, b) > 0.7


def test_json_round_trip_and_errors() -> None:
    fp = fingerprint("t", BODY)
    assert from_json(to_json(fp)) == fp
    with pytest.raises(FingerprintFormatError):
        from_json({"scheme": "other"})
    with pytest.raises(FingerprintFormatError):
        from_json({**to_json(fp), "signature": [1, 2]})
