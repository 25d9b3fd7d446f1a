"""bench/growth.py fills a store, probes it at each level and prints valid JSON lines."""

from __future__ import annotations

import json

from bench import growth


def test_growth_prints_per_level_figures(capsys, tmp_path) -> None:
    code = growth.main(["--levels", "60", "150", "--seed-articles", "30", "--probes", "4",
                        "--db", str(tmp_path / "g.db")])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert all({"figure", "value", "unit", "n"} <= r.keys() for r in rows)
    ratios = [r for r in rows if r["figure"] == "per_article_cpu_vs_first_level"]
    assert len(ratios) == 2 and ratios[0]["value"] == 1.0
    levels = [r["n"] for r in rows if r["figure"] == "fill_s"]
    assert levels[0] < levels[1] <= 150
    assert any(r["figure"] == "per_article_detect_ms" for r in rows)
