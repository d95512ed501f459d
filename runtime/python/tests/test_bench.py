"""Timing helpers."""
import pytest

from rules_neural import bench


def test_measure_counts_runs_and_warmup():
    calls = []
    t = bench.measure(lambda: calls.append(1), runs=5, warmup=2)
    assert len(calls) == 7 and len(t.runs) == 5
    assert t.min <= t.median <= t.max
    d = t.as_dict(samples_per_run=100)
    assert d["runs"] == 5 and d["samples_per_second"] > 0


def test_median_and_throughput():
    t = bench.Timing([3.0, 1.0, 2.0])
    assert t.median == 2.0 and t.samples_per_second(10) == 5.0
    assert bench.samples_per_second(10, 0) == float("inf")
    with pytest.raises(ValueError):
        bench.measure(lambda: None, runs=0)
