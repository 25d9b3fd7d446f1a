"""Leave-one-set-out at the level users see: each hand-written set replayed with a kind model that never saw it.

    python -m bench.loso                     # every hand-written development set, a table and the means
    python -m bench.loso --sets heldout9 heldout10 --json
    python -m bench.loso --rules-only        # the rules alone (no model), same table

For each set S: ``bench.train_kinds --exclude S`` writes a model trained on every other
development set (cached under ``--models``, keyed by the training data and the training code,
so a changed set or trainer retrains), then ``bench.detection --direct`` replays S with
``STORYWATCH_KIND_MODEL`` pointing at it. The figures are the replay's own: alert precision and
recall, duplicate alerts, negation traps alerted, grouping F1. Two sets run at a time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.train_kinds import SETS_DIR, TRAIN_SETS

ROOT = Path(__file__).resolve().parent.parent
#: Templated sets train the model but are no fair test of it.
TEMPLATED = frozenset({"devset"})
FIGURES = ("alert_precision", "alert_recall", "duplicate_alerts", "negation_traps_alerted", "grouping_f1",
           "relevance_recall")


def _fingerprint(names: list[str]) -> str:
    """A short hash of what a model trained on ``names`` depends on: the sets and the training code."""
    h = hashlib.sha256()
    for n in sorted(names):
        h.update(n.encode() + (SETS_DIR / f"{n}.jsonl").read_bytes())
    for code in ("bench/train_kinds.py", "detection/kindmodel.py"):
        h.update((ROOT / code).read_bytes())
    return h.hexdigest()[:16]


def model_without(test: str, models: Path) -> Path:
    """A model trained on every development set but ``test`` (trained now unless cached)."""
    train = [n for n in TRAIN_SETS if n != test]
    out = models / f"without-{test}-{_fingerprint(train)}.npz"
    if not out.exists():
        subprocess.run([sys.executable, "-m", "bench.train_kinds", "--exclude", test, "--out", str(out)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return out


def replay(test: str, model: Path | None) -> dict[str, Any]:
    """``bench.detection --direct`` on ``test`` with ``model`` (None: the rules alone); its figures."""
    env = {**os.environ, "STORYWATCH_KIND_MODEL": str(model) if model else "off"}
    out = subprocess.run([sys.executable, "-m", "bench.detection", "--direct", "--quiet", "--json", "--sizes", "",
                          "--devset", str(SETS_DIR / f"{test}.jsonl")],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return {f["figure"]: f["value"] for f in map(json.loads, out.splitlines())}


def main(argv: list[str] | None = None) -> int:
    """Command line (see module docstring); exit 2 on an unknown set."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    hand = [n for n in TRAIN_SETS if n not in TEMPLATED]
    ap.add_argument("--sets", nargs="+", default=hand, metavar="NAME",
                    help="sets to leave out in turn (default: every hand-written development set)")
    ap.add_argument("--models", type=Path, default=Path(tempfile.gettempdir()) / "storywatch-loso",
                    help="where trained models are cached (default: %(default)s)")
    ap.add_argument("--rules-only", action="store_true", help="replay with no kind model (the rules alone)")
    ap.add_argument("--jobs", type=int, default=2, help="sets run at a time (default: %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per set, then the means")
    args = ap.parse_args(argv)
    missing = [n for n in args.sets if not (SETS_DIR / f"{n}.jsonl").exists()]
    if missing:
        print(f"error: no such set: {', '.join(missing)}", file=sys.stderr)
        return 2
    args.models.mkdir(parents=True, exist_ok=True)

    def one(test: str) -> dict[str, Any]:
        model = None if args.rules_only else model_without(test, args.models)
        figs = replay(test, model)
        print(f"  {test}: P {figs['alert_precision']:.3f} R {figs['alert_recall']:.3f}", file=sys.stderr, flush=True)
        return figs

    print(f"leave-one-set-out over {len(args.sets)} sets ({'rules alone' if args.rules_only else 'rules + model'})",
          file=sys.stderr, flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = dict(zip(args.sets, pool.map(one, args.sets), strict=True))
    n = len(results)
    means = {f: sum(r[f] for r in results.values()) / n for f in FIGURES}
    sums = {f: sum(r[f] for r in results.values()) for f in ("duplicate_alerts", "negation_traps_alerted")}
    if args.json:
        for test, r in results.items():
            print(json.dumps({"set": test, **{f: r[f] for f in FIGURES}}))
        print(json.dumps({"set": "mean", **{f: round(v, 4) for f, v in means.items()}, "sums": sums}))
        return 0
    print(f"{'set':<11}{'alertP':>8}{'alertR':>8}{'dup':>5}{'traps':>6}{'grpF1':>7}{'relR':>7}")
    for test, r in results.items():
        print(f"{test:<11}{r['alert_precision']:>8.3f}{r['alert_recall']:>8.3f}{r['duplicate_alerts']:>5}"
              f"{r['negation_traps_alerted']:>6}{r['grouping_f1']:>7.3f}{r['relevance_recall']:>7.3f}")
    print(f"{'mean':<11}{means['alert_precision']:>8.3f}{means['alert_recall']:>8.3f}{sums['duplicate_alerts']:>5}"
          f"{sums['negation_traps_alerted']:>6}{means['grouping_f1']:>7.3f}{means['relevance_recall']:>7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
