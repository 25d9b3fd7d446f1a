"""A learned second opinion on an article's kind: a linear model over character n-grams of its lead.

The hand-written rules (``detection.kinds``) read one lead sentence at a time and know about
negation, speculation and who did what; they miss acts phrased in ways nobody wrote a cue for.
The model reads the whole lead (headline and first body sentences) as bags of character 2-4
grams, so it works the same for every script, and was trained on the labelled development sets
(``bench/train_kinds.py``). ``detection.kinds`` decides when its vote overrides the rules.

The file is a NumPy ``.npz`` of plain arrays (no pickle): ``classes``, ``vocab``, ``idf``, ``coef``,
``intercept`` and a JSON ``meta`` string. Inference is TF-IDF (sublinear tf, l2 norm) followed by
a multinomial logistic regression, the same arithmetic as scikit-learn's, which training checks.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from detection.errors import WatchConfigError
from detection.terms import fold
from detection.text import lead_sentences

#: Body sentences read after the headline (training and inference must agree).
MODEL_SENTENCES = 3
#: Overrides the watch's model for every watch: a file path, or ``off`` for the rules alone.
ENV_MODEL = "STORYWATCH_KIND_MODEL"
_PACKAGE = "package:"


def model_lead(title: str, text: str) -> list[str]:
    """The lead sentences the model reads (headline first)."""
    return lead_sentences(title, text, MODEL_SENTENCES)


def document_features(document: str) -> list[str]:
    """``ngrams`` of each line of ``document`` (a lead joined by newlines, as training sees it)."""
    return [g for line in document.split("\n") for g in ngrams(line)]


_WORDS = re.compile(r"\w+", re.UNICODE)


def ngrams(text: str) -> list[str]:
    """Features of ``text``: character 2-4 grams of each whitespace-separated word (padded with one
    space on both sides), and word pairs (``has not``, ``yet to``), which carry negation and tense."""
    folded = fold(text)
    out: list[str] = []
    for word in folded.split():
        w = f" {word} "
        for n in (2, 3, 4):
            out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    words = _WORDS.findall(folded)  # pairs within one sentence: callers pass sentences one by one
    out.extend(f"{a}\u2009{b}" for a, b in pairwise(words))
    return out


@dataclass(frozen=True)
class Vote:
    """The model's opinion on one article."""

    kind: str
    probability: float
    probabilities: dict[str, float]
    features: tuple[str, ...]  # n-grams that contribute most to ``kind``

    def explanation(self) -> dict[str, Any]:
        """A JSON-friendly account of the vote."""
        top = sorted(self.probabilities.items(), key=lambda kv: -kv[1])[:3]
        return {"kind": self.kind, "p": round(self.probability, 3),
                "top": {k: round(p, 3) for k, p in top}, "features": list(self.features)}


@dataclass(frozen=True, eq=False)
class KindModel:
    """A trained kind model (see module docstring)."""

    classes: tuple[str, ...]
    terms: tuple[str, ...]  # the n-gram of each feature column
    idf: np.ndarray
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray  # (classes,)
    meta: dict[str, Any]

    @cached_property
    def vocab(self) -> dict[str, int]:
        """Feature column of each n-gram."""
        return {g: i for i, g in enumerate(self.terms)}

    def _counts(self, sentences: list[str]) -> Counter[int]:
        # n-grams sentence by sentence: word pairs never span two sentences (as in training)
        vocab = self.vocab
        return Counter(vocab[g] for s in sentences for g in ngrams(s) if g in vocab)

    def _probabilities(self, counts: Counter[int]) -> dict[str, float]:
        cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        vals = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[cols]
        norm = math.sqrt(float(vals @ vals))
        if norm:
            vals /= norm
        scores = self.coef[:, cols] @ vals + self.intercept
        e = np.exp(scores - scores.max())
        return {c: float(x) for c, x in zip(self.classes, e / e.sum(), strict=True)}

    def probabilities(self, sentences: list[str]) -> dict[str, float]:
        """Probability of each kind for a lead (as given by ``model_lead``)."""
        return self._probabilities(self._counts(sentences))

    def vote(self, sentences: list[str]) -> Vote:
        """The most probable kind and the n-grams that weigh most for it."""
        counts = self._counts(sentences)
        probs = self._probabilities(counts)
        kind = max(probs, key=lambda k: probs[k])
        row = self.coef[self.classes.index(kind)]
        top = sorted(counts, key=lambda c: -float(row[c]) * (1.0 + math.log(counts[c])) * float(self.idf[c]))[:6]
        return Vote(kind, probs[kind], probs, tuple(self.terms[c].strip() for c in top))


def save(path: Path, model: KindModel) -> None:
    """Write ``model`` as a compressed ``.npz`` of plain arrays."""
    np.savez_compressed(
        path, classes=np.array(model.classes), vocab=np.array(model.terms), idf=model.idf.astype(np.float64),
        coef=model.coef.astype(np.float64), intercept=model.intercept.astype(np.float64),
        meta=np.array(json.dumps(model.meta)),
    )


def _read(source: Any) -> KindModel:
    with np.load(source, allow_pickle=False) as z:
        return KindModel(
            classes=tuple(str(c) for c in z["classes"]), terms=tuple(str(g) for g in z["vocab"]),
            idf=z["idf"], coef=z["coef"], intercept=z["intercept"], meta=json.loads(str(z["meta"])),
        )


@lru_cache(maxsize=4)
def load(location: str) -> KindModel:
    """The model at ``location``: a file path, or ``package:<package>/<file>`` for a bundled one."""
    try:
        if location.startswith(_PACKAGE):
            package, _, name = location.removeprefix(_PACKAGE).partition("/")
            with resources.files(package).joinpath(name).open("rb") as fh:
                return _read(fh)
        return _read(Path(location))
    except (OSError, ModuleNotFoundError, KeyError, ValueError) as exc:
        raise WatchConfigError(f"cannot load kind model {location}: {exc}") from exc


def model_for(location: str | None) -> KindModel | None:
    """The model a watch uses: ``$STORYWATCH_KIND_MODEL`` if set (``off`` = none), else ``location``."""
    override = os.environ.get(ENV_MODEL)
    if override:
        return None if override == "off" else load(override)
    return load(location) if location else None
