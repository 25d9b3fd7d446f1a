"""The learned kind model: export parity with scikit-learn, the bundled file, and its veto on alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session

from bench.train_kinds import TRAIN_SETS, examples, train
from detection import kindmodel
from detection.kindmodel import KindModel, load, model_for, model_lead, ngrams, save
from detection.kinds import decide
from detection.watch import load_default_watch
from storage.db import make_engine, upgrade
from tests.detect_world import store_text

W = load_default_watch()


def test_features_are_character_grams_and_word_pairs() -> None:
    feats = ngrams("Has not replied")
    assert " h" in feats and "has " in feats and "epli" in feats
    assert "has\u2009not" in feats and "not\u2009replied" in feats
    assert ngrams("") == []


def test_an_exported_model_scores_like_scikit_learn_and_survives_a_round_trip(tmp_path: Path) -> None:
    rows = examples(["heldout2"])
    model = train(rows, {"sets": ["heldout2"]})  # raises when the exported arrays disagree with sklearn
    path = tmp_path / "k.npz"
    save(path, model)
    again = load(str(path))
    assert again.classes == model.classes and again.terms == model.terms
    for r in rows[:20]:
        lead = model_lead(r.title, r.text)
        a, b = model.probabilities(lead), again.probabilities(lead)
        assert a.keys() == b.keys()
        assert max(abs(a[k] - b[k]) for k in a) < 1e-12
        assert abs(sum(a.values()) - 1.0) < 1e-9


def test_the_bundled_model_loads_and_was_trained_only_on_development_sets() -> None:
    assert W.kind_model is not None
    model = load(W.kind_model)
    assert set(model.classes) <= set(W.kinds)
    assert set(model.meta["sets"]) <= set(TRAIN_SETS)  # never a fresh held-out set
    assert model.meta["rows"] > 500
    assert np.isfinite(model.coef).all()


def test_an_unreadable_model_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(Exception, match="cannot load kind model"):
        load(str(bad))


def test_the_environment_switches_the_model_off_or_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(kindmodel.ENV_MODEL, "off")
    assert model_for(W.kind_model) is None
    monkeypatch.delenv(kindmodel.ENV_MODEL)
    assert model_for(W.kind_model) is load(str(W.kind_model))
    assert model_for(None) is None


def _toy(text: str, vote_for: str, classes: tuple[str, ...] = ("background", "no_change_status",
                                                                  "pyongyang_response")) -> KindModel:
    """A hand-made model: every n-gram of ``text`` votes ``vote_for``; unknown leads lean to the last class."""
    terms = tuple(dict.fromkeys(ngrams(text)))
    coef = np.zeros((len(classes), len(terms)))
    coef[classes.index(vote_for), :] = 8.0
    intercept = np.zeros(len(classes))
    intercept[-1] = 0.5
    return KindModel(classes, terms, np.ones(len(terms)), coef, intercept, {"sets": []})


TITLE = "North Korea rejects Takaichi's summit offer"
BODY = ("North Korea's foreign ministry said on Monday it rejected Prime Minister Sanae Takaichi's proposal "
        "for a summit, state media reported.")
# the same act told in the body under a headline that names no actor
VAGUE = "Abduction talks: the latest"


def test_the_model_demotes_an_alert_it_doubts() -> None:
    plain = decide(W, VAGUE, BODY, None)
    assert plain.kind == "pyongyang_response" and plain.hit is not None and plain.hit.sentence_index > 0
    doubt = _toy("zqxwv", "no_change_status")
    # the toy model sees nothing it knows here: it leans to the rules' kind, which stands
    kept = decide(W, VAGUE, BODY, doubt)
    assert kept.kind == "pyongyang_response" and kept.overruled is None
    assert kept.vote is not None and "model" in kept.explanation()
    # a lead full of what the model reads as "no change" (a made-up word) is demoted to background, with the reason
    doubted = decide(W, VAGUE + ", zqxwv", BODY + " Zqxwv zqxwv.", doubt)
    assert doubted.kind == W.default_kind and doubted.hit is None
    assert doubted.overruled == "pyongyang_response"
    expl = doubted.explanation()
    assert expl["rules_said"] == "pyongyang_response"
    assert expl["rejected"][0]["blocked"].startswith("model: no_change_status")


def test_a_headline_naming_north_korea_as_the_actor_keeps_its_reply() -> None:
    res = decide(W, TITLE + ", zqxwv", BODY + " Zqxwv zqxwv.", _toy("zqxwv", "no_change_status"))
    assert res.vote is not None and res.vote.kind == "no_change_status"
    assert res.kind == "pyongyang_response" and res.overruled is None


def test_the_model_relabels_an_act_it_reads_as_another_alerting_kind() -> None:
    # a mediator the watch does not name: the rules read Takaichi's letter as Tokyo's own overture
    title = "Kazakhstan hands Takaichi letter to Pyongyang"
    body = ("Kazakhstan's foreign minister handed a letter from Prime Minister Sanae Takaichi on a summit to North "
            "Korean officials during a visit to Pyongyang, Tokyo said on Friday.")
    rules = decide(W, title, body, None)
    assert rules.kind != "third_party_mediation" and W.kinds[rules.kind].alert and rules.hit is not None
    model = _toy(f"{title} {body}", "third_party_mediation", ("background", rules.kind, "third_party_mediation"))
    res = decide(W, title, body, model)
    assert res.kind == "third_party_mediation" and res.overruled == rules.kind
    assert res.hit == rules.hit  # where the lead states the act still comes from the rules
    assert rules.kind in res.others  # the rules' reading stays among the acts the lead names
    assert res.explanation()["rules_said"] == rules.kind


def test_the_model_never_promotes_a_kind_the_rules_did_not_find() -> None:
    title, body = "Families' group to hold rally", "The families' association will hold its annual rally in Tokyo."
    res = decide(W, title, body, _toy(f"{title} {body}", "pyongyang_response", ("background", "pyongyang_response")))
    assert res.vote is not None and res.vote.kind == "pyongyang_response" and res.vote.probability > 0.9
    assert res.kind == decide(W, title, body, None).kind != "pyongyang_response"


def test_an_explainer_reports_no_act_but_carries_the_models_reading() -> None:
    title = "Analysis: what Pyongyang's answer to Takaichi leaves open"
    body = "North Korea's foreign ministry said on Monday it would consider talks with Japan on its own terms."
    assert decide(W, title, body, None).vote is None
    res = decide(W, title, body, _toy(f"{title} {body}", "pyongyang_response"))
    assert res.kind == W.default_kind and res.hit is None
    assert res.explanation()["rejected"][0]["blocked"] == "explainer headline"
    assert res.vote is not None and res.vote.kind == "pyongyang_response"


RETURN_TITLE = "Japanese man held in North Korea for 47 years returns home"
RETURN_BODY = ("A Japanese man abducted to North Korea in 1979 returned to Japan on Tuesday after 47 years, "
               "landing at Haneda airport with his brother at his side.")
HOMETOWN_TITLE = "In Sakata, a harbour town that kept a chair empty celebrates"
HOMETOWN_BODY = ("Neighbours hung banners along the fish market on Wednesday for the fisherman who went missing "
                 "in 1979 and turned up in North Korea. The town on Japan's coast had kept a chair empty for him "
                 "at every festival.")


@pytest.mark.parametrize("model_on", [True, False])
def test_the_models_reading_of_a_lead_without_an_act_lines_it_up_with_its_event(
    model_on: bool, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a hometown piece the day after a return names no act a rule knows: it stays background and
    # alerts nothing either way, but the model's reading (a return) lets it join the return
    path = tmp_path / "toy.npz"
    save(path, _toy(f"{RETURN_TITLE} {HOMETOWN_TITLE} {HOMETOWN_BODY}", "repatriation", ("background", "repatriation")))
    monkeypatch.setenv(kindmodel.ENV_MODEL, str(path) if model_on else "off")
    when = datetime(2027, 2, 16, 3, tzinfo=UTC)
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine) as s, s.begin():
        ret = store_text(s, "https://w.example/return", RETURN_TITLE, RETURN_BODY, when, when + timedelta(hours=2))
        town = store_text(s, "https://r.example/sakata", HOMETOWN_TITLE, HOMETOWN_BODY, when + timedelta(days=1),
                          when + timedelta(days=1, hours=2))
    engine.dispose()
    assert ret.kind == "repatriation" and ret.is_new
    assert town.relevant and town.explanation["kind"]["kind"] == W.default_kind
    if model_on:
        assert town.development_id == ret.development_id and town.kind == "repatriation" and not town.is_new
        assert town.explanation["candidates"][0]["hint"] == "repatriation"
    else:
        # a development of its own, of a kind that never alerts
        assert town.development_id != ret.development_id and town.kind == W.default_kind
