"""The load script in its short CI configuration: concurrent API clients get results or a clear
"queue is full" answer, never an error, and the server's memory does not run away.

The full configuration (16 clients for 60 s) is one command; its figures are in docs/limits.md:
    python benchmarks/load_test.py --clients 16 --seconds 60 --side 512
"""
from __future__ import annotations

from benchmarks.load_test import run_load


def test_four_clients_for_ten_seconds_get_results_or_a_clear_busy_answer(tmp_path):
    # a queue of 2 behind one worker: some of the 4 clients are told the queue is full
    report = run_load(clients=4, seconds=10, side=256, workdir=tmp_path, extra_env={"STYLELAB_QUEUE_SIZE": "2"})
    print(report.summary())
    assert report.errors == [], report.errors
    assert report.ok >= 4, report.summary()
    assert report.rss_end_mb - report.rss_after_warmup_mb < 200, report.summary()
