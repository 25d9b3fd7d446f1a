"""bench/pipeline.py runs end to end at tiny N and prints one valid JSON line per figure."""

from __future__ import annotations

import json

from bench import pipeline as bench_pipeline


def _figures(out: str) -> dict[str, dict]:
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    for row in rows:
        assert {"figure", "value", "unit", "n"} <= row.keys()
    return {r["figure"]: r for r in rows}


def test_ingest_and_unchanged_cycle_print_figures(capsys) -> None:
    code = bench_pipeline.main(["--n", "40", "--sources", "4", "--unchanged-articles", "40",
                                "--reference-max", "10", "--table"])
    assert code == 0
    captured = capsys.readouterr()
    figs = _figures(captured.out)
    assert figs["articles_stored"]["value"] == 40
    assert figs["sources_failed"]["value"] == 0
    for name in ("e2e_articles_per_s", "reference_trafilatura_pages_per_s", "e2e_vs_reference",
                 "peak_pss_tree_mb", "db_size_mb", "fetch_only_pages_per_s", "stage_ingest_s",
                 "unchanged_cycle_s", "unchanged_cycle_no_validators_s"):
        assert name in figs, name
    assert figs["unchanged_cycle_s"]["not_modified"] == 4
    assert figs["unchanged_cycle_no_validators_s"]["stored"] == 0
    assert "e2e_articles_per_s" in captured.err  # the --table summary


def test_store_window_streams_a_cycle_larger_than_one_window(capsys) -> None:
    code = bench_pipeline.main(["--n", "60", "--sources", "0", "--no-reference", "--no-fetch-only",
                                "--window", "16"])
    assert code == 0
    figs = _figures(capsys.readouterr().out)
    assert figs["articles_stored"]["value"] == 60
    assert figs["parse_failures"]["value"] == 0


def test_memory_sampler_sees_a_child_that_allocates() -> None:
    """The out-of-process sampler reports this process tree's peak, a child's allocation included."""
    import subprocess
    import sys

    from bench.memsample import TreeMemory

    with TreeMemory(interval=0.02) as mem:
        subprocess.run([sys.executable, "-c", "import time; b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.5)"],
                       check=True)
    assert mem.peak_pss > 200 * 2**20
    assert mem.peak_workers >= 1
    assert mem.cpu >= 0
