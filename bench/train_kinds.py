"""Train the kind model (``detection.kindmodel``) on the labelled sets, or measure how it generalises.

    python -m bench.train_kinds                 # train on every development set, write the bundled model
    python -m bench.train_kinds --loso          # leave-one-set-out: train without a set, score on it
    python -m bench.train_kinds --exclude heldout6 --out /tmp/k.npz   # a model that never saw heldout6

Training rows are the relevant articles of each set, labelled with their event's kind; the text
is the lead the model reads at run time (``kindmodel.model_lead``). scikit-learn does the fitting
(TF-IDF over character 2-4 grams, sublinear tf; multinomial logistic regression with balanced
class weights); the exported arrays are re-scored with ``KindModel`` and must give the same
probabilities. ``--loso`` prints, per held-out set, article-level kind accuracy, negation traps
given an alerting kind, and alerting-kind precision/recall for the rules alone, the model alone,
and the two combined as ``detection.kinds.decide`` combines them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from detection.kindmodel import KindModel, document_features, model_lead, save
from detection.kinds import decide
from detection.watch import WatchSpec, load_default_watch

SETS_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "devset"
#: The development sets (tuned on). Fresh held-out sets are never trained on: keep them out of here.
TRAIN_SETS = ("devset", "realistic", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8",
              "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14",
              "heldout15", "heldout16")
OUT = Path(__file__).resolve().parent.parent / "storywatch" / "data" / "models" / "kinds.npz"
C = 4.0
MIN_DF = 2
BRIEF_SENTENCES = 2


@dataclass(frozen=True)
class Example:
    """One labelled article as the model sees it."""

    set: str
    title: str
    text: str
    kind: str
    trap: str
    #: Only the headline and the first body sentence: a brief's lead (see ``briefs``).
    brief: bool = False

    @property
    def lines(self) -> list[str]:
        """The lead sentences the model reads."""
        lead = model_lead(self.title, self.text)
        return lead[:BRIEF_SENTENCES] if self.brief else lead

    @property
    def doc(self) -> str:
        """The lead as one string (sentences joined by newlines)."""
        return "\n".join(self.lines)


def examples(names: list[str]) -> list[Example]:
    """The relevant rows of the named sets."""
    out: list[Example] = []
    for name in names:
        for line in (SETS_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if r["relevant"]:
                    out.append(Example(name, r["title"], r["text"], r["kind"], r.get("trap") or ""))
    return out


def briefs(rows: list[Example]) -> list[Example]:
    """Each longer row once more as a brief: its headline and first body sentence."""
    return [replace(r, brief=True) for r in rows if len(r.lines) > BRIEF_SENTENCES]


def train(rows: list[Example], meta: dict[str, Any]) -> KindModel:
    """Fit on ``rows`` and return the exported model, checked against scikit-learn's own scores."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    # the vocabulary and idf come from the articles; each longer one is then seen twice, whole and
    # as a brief, so that a two-sentence wire brief reads like the articles it summarises
    vec = TfidfVectorizer(analyzer=document_features, sublinear_tf=True, min_df=MIN_DF)
    vec.fit([r.doc for r in rows])
    rows = rows + briefs(rows)
    x = vec.transform([r.doc for r in rows])
    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(x, [r.kind for r in rows])
    terms = [""] * len(vec.vocabulary_)
    for g, i in vec.vocabulary_.items():
        terms[i] = g
    model = KindModel(tuple(str(c) for c in clf.classes_), tuple(terms), vec.idf_, clf.coef_, clf.intercept_,
                      {**meta, "rows": len(rows), "briefs": BRIEF_SENTENCES, "features": len(terms), "C": C, "min_df": MIN_DF})
    expected = clf.predict_proba(x)
    got = np.array([[model.probabilities(r.lines)[c] for c in model.classes] for r in rows])
    gap = float(np.abs(expected - got).max())
    if gap > 1e-6:
        raise SystemExit(f"exported model disagrees with scikit-learn by {gap:.2e}")
    return model


def score(watch: WatchSpec, rows: list[Example], model: KindModel) -> dict[str, dict[str, float]]:
    """Article-level figures of the rules, the model and the combination on ``rows``."""
    alerting = {k for k, s in watch.kinds.items() if s.alert}
    c: Counter[str] = Counter()
    for r in rows:
        lead = model_lead(r.title, r.text)
        picks = {"rules": decide(watch, r.title, r.text, None).kind,
                 "model": model.vote(lead).kind,
                 "combined": decide(watch, r.title, r.text, model).kind}
        for name, kind in picks.items():
            c[f"{name}.right"] += kind == r.kind
            c[f"{name}.trap"] += r.trap == "negation" and kind in alerting
            c[f"{name}.alerts"] += kind in alerting
            c[f"{name}.alerts_right"] += kind in alerting and kind == r.kind
            c[f"{name}.found"] += r.kind in alerting and kind == r.kind
    wanted = sum(r.kind in alerting for r in rows)
    return {name: {"accuracy": c[f"{name}.right"] / len(rows), "traps": c[f"{name}.trap"],
                   "alert_p": c[f"{name}.alerts_right"] / max(1, c[f"{name}.alerts"]),
                   "alert_r": c[f"{name}.found"] / max(1, wanted)} for name in ("rules", "model", "combined")}


def main(argv: list[str] | None = None) -> int:
    """Command line (see module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sets", nargs="+", default=list(TRAIN_SETS), metavar="NAME",
                    help="sets to train on (names of tests/fixtures/devset/NAME.jsonl; default: the development sets)")
    ap.add_argument("--exclude", action="append", default=[], metavar="NAME", help="leave this set out (repeatable)")
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write the model (default: {OUT})")
    ap.add_argument("--loso", action="store_true", help="leave-one-set-out figures instead of writing a model")
    ap.add_argument("--json", action="store_true", help="print figures as JSON")
    args = ap.parse_args(argv)
    names = [n for n in args.sets if n not in args.exclude]
    missing = [n for n in names if not (SETS_DIR / f"{n}.jsonl").exists()]
    if missing:
        print(f"error: no such set: {', '.join(missing)}", file=sys.stderr)
        return 2
    watch = load_default_watch()
    rows = examples(names)
    if not args.loso:
        model = train(rows, {"sets": names, "trained": datetime.now(UTC).isoformat(timespec="seconds")})
        args.out.parent.mkdir(parents=True, exist_ok=True)
        save(args.out, model)
        print(f"{args.out}: {len(rows)} articles from {len(names)} sets, {len(model.terms)} features, "
              f"kinds {', '.join(model.classes)}")
        return 0
    figures: dict[str, Any] = {}
    for test in names:
        if test == "devset":
            continue  # templated: it trains, it is not a fair test
        print(f"leaving out {test} ...", file=sys.stderr)
        model = train([r for r in rows if r.set != test], {"sets": [n for n in names if n != test]})
        figures[test] = score(watch, [r for r in rows if r.set == test], model)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"{'left out':<11}" + "".join(f"{n:>29}" for n in ("rules", "model", "combined")))
    print(f"{'':<11}" + "   acc traps alertP alertR" * 3)
    for test, f in figures.items():
        print(f"{test:<11}" + "".join(
            f"{f[n]['accuracy']:>9.3f}{f[n]['traps']:>6}{f[n]['alert_p']:>7.3f}{f[n]['alert_r']:>7.3f}"
            for n in ("rules", "model", "combined")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
