"""Pure fingerprint behaviour: exact hash, near-duplicate similarity, serialisation."""

from __future__ import annotations

import pytest

from dedupe.errors import FingerprintFormatError
from dedupe.fingerprint import (
    BANDS,
    NUM_PERM,
    OPENING_BANDS,
    containment,
    fingerprint,
    from_json,
    lead_similarity,
    opening_similarity,
    similarity,
    to_json,
)
from dedupe.opening import first_own, is_note, paragraphs
from tests import dedupe_world as w

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


def test_leading_notes_bylines_and_notices_are_skipped_for_the_lead() -> None:
    plain = fingerprint("Ferry strike", w.ORIGINAL)
    for note in ("Editor's note: this wire report has been shortened.", "By Ana Lopes and Tom Reyes",
                 "(Corrects spelling of operator's name in paragraph 4)", "Anmerkung der Redaktion: gekürzte Fassung.",
                 "编者按：本文有删节。", "UPDATED 14:05 GMT"):
        noted = fingerprint("Ferry strike", note + "\n\n" + w.ORIGINAL)
        assert is_note(note)
        assert noted.lead_signature == plain.lead_signature
        assert noted.opening_signature == plain.opening_signature
    # a real lead is not a note, even a short one or one starting with a listed word
    assert not is_note(w.P[0])
    assert not is_note("Updates to the timetable will be announced by the port authority later this week, officials said.")
    assert not is_note("By 2030 the port plans to run every ferry on shore power, the operator said on Monday.")
    assert first_own(paragraphs("Note: shortened.\n\nCorrection: one.")) == 0  # all notes: keep them


def test_containment_of_a_trimmed_copy_is_high_though_its_jaccard_is_low() -> None:
    original = fingerprint("Ferry strike", w.ORIGINAL)
    trimmed = fingerprint("Ferries halted", w.TRIMMED)
    assert trimmed.shingle_count < original.shingle_count / 2
    assert similarity(trimmed, original) < 0.5
    assert containment(trimmed, original) == containment(original, trimmed)
    assert containment(trimmed, original) >= 0.9  # type: ignore[operator]
    assert opening_similarity(trimmed, original) == 1.0
    assert set(trimmed.opening_keys) == set(original.opening_keys) and len(original.opening_keys) == OPENING_BANDS
    own = fingerprint("Holidaymakers stuck", w.OWN_REPORT)
    assert opening_similarity(own, original) is not None and opening_similarity(own, original) < 0.2  # type: ignore[operator]
    assert not set(own.opening_keys) & set(original.opening_keys)


def test_fingerprints_without_opening_or_size_still_load() -> None:
    fp = fingerprint("Ferry strike", w.ORIGINAL)
    legacy = {k: v for k, v in to_json(fp).items() if k not in ("opening_signature", "shingles")}
    old = from_json(legacy)
    assert old.shingle_count == 0 and old.opening_signature == () and old.opening_keys == ()
    assert containment(old, fp) is None and opening_similarity(old, fp) is None
    assert similarity(old, fp) == 1.0
