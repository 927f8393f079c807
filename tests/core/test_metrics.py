"""A request's figures are added up in the process and flushed to Prometheus' metrics once a
second (agora/metrics.py): flushed, they are what observing each one would have given."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from agora.metrics import Durations

BOUNDS = (0.005, 0.01, 0.1, 1.0)
SECONDS = [0.001, 0.005, 0.0051, 0.01, 0.05, 0.5, 1.0, 3.0, 0.002]


def test_durations_flushed_equal_the_same_observations_one_by_one() -> None:
    # given two histograms, one observed directly, one through Durations
    registry = CollectorRegistry()
    direct = Histogram("direct_seconds", "d", buckets=BOUNDS, registry=registry)
    batched = Histogram("batched_seconds", "b", buckets=BOUNDS, registry=registry)
    durations = Durations(batched, BOUNDS)
    # when the same durations go to each (bounds included: a bucket holds what is <= it)
    for seconds in SECONDS:
        direct.observe(seconds)
        durations.observe(seconds)
    text = generate_latest(registry).decode()
    assert "batched_seconds_count 0.0" in text  # nothing before the flush
    durations.flush()
    durations.flush()  # a second flush adds nothing
    # then their exposition is the same, line for line
    text = generate_latest(registry).decode()
    samples = [line for line in text.splitlines() if not line.startswith("#")]
    direct_lines = sorted(
        line.removeprefix("direct")
        for line in samples
        if line.startswith("direct_seconds_") and "_created" not in line
    )
    batched_lines = sorted(
        line.removeprefix("batched")
        for line in samples
        if line.startswith("batched_seconds_") and "_created" not in line
    )
    assert batched_lines == direct_lines
    assert "_seconds_count 9.0" in "\n".join(direct_lines)
