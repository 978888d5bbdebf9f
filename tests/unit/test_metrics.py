"""Counters, gauges and histograms per stage, topic and reason, exposed in the Prometheus
text format; the names and labels of docs/operating.md."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from pipeline.metrics import Metrics


def test_records_and_dead_letters_by_unit() -> None:
    metrics = Metrics()
    metrics.count("decode.ais", "ais.nmea", "accepted", None, ["bad_checksum", "orphan_fragment"])
    metrics.count("decode.ais", "ais.nmea", "deadletter", "bad_checksum")
    stats = metrics.stats()
    assert stats["adizwatch_records_total{outcome=accepted,stage=decode.ais,topic=ais.nmea}"] == 1
    assert stats["adizwatch_deadletters_total{reason=bad_checksum,stage=decode.ais,"
                 "topic=ais.nmea,unit=part}"] == 1
    assert stats["adizwatch_deadletters_total{reason=bad_checksum,stage=decode.ais,"
                 "topic=ais.nmea,unit=record}"] == 1


def test_outputs_events_and_identifications() -> None:
    metrics = Metrics()
    metrics.count_out("geofence", "zones.events", 3)
    metrics.count_out("geofence", "zones.events")
    metrics.count_event("zone.entry")
    metrics.count_event("zone.entry")
    metrics.count_identification("suspect", "zone.entry")
    stats = metrics.stats()
    assert stats["adizwatch_records_out_total{stage=geofence,topic=zones.events}"] == 4
    assert stats["adizwatch_events_total{type=zone.entry}"] == 2
    assert stats["adizwatch_identifications_total{identity=suspect,trigger=zone.entry}"] == 1


def test_every_event_type_and_identity_exists_from_the_start() -> None:
    stats = Metrics().stats()
    events = {k: v for k, v in stats.items() if k.startswith("adizwatch_events_total")}
    assert events == {
        "adizwatch_events_total{type=zone.entry}": 0,
        "adizwatch_events_total{type=zone.exit}": 0,
        "adizwatch_events_total{type=zone.dwell}": 0,
        "adizwatch_events_total{type=track.lost}": 0,
        "adizwatch_events_total{type=track.regained}": 0,
    }
    idents = [k for k in stats if k.startswith("adizwatch_identifications_total")]
    assert len(idents) == 7 * 4  # standard identities x triggers
    assert stats["adizwatch_identifications_total{identity=assumed friend,trigger=emergency}"] == 0


def test_lag_per_partition_and_forgotten_on_revocation() -> None:
    metrics = Metrics()
    metrics.set_lag("adsb.sbs", 0, 120)
    metrics.set_lag("adsb.sbs", 1, 7)
    metrics.set_lag("adsb.sbs", 0, 40)
    metrics.forget_partition("adsb.sbs", 1)
    metrics.forget_partition("adsb.sbs", 3)  # never reported: nothing to drop, no error
    lag = {k: v for k, v in metrics.stats().items() if k.startswith("adizwatch_consumer_lag")}
    assert lag == {"adizwatch_consumer_lag{partition=0,topic=adsb.sbs}": 40}


def test_latency_and_batch_histograms() -> None:
    metrics = Metrics()
    for seconds in (0.0004, 0.003, 0.2, 7.0):
        metrics.observe_latency("geofence", seconds)
    metrics.observe_batch(1)
    metrics.observe_batch(500)
    families = {f.name: f for f in text_string_to_metric_families(metrics.exposition().decode())}
    buckets = {s.labels["le"]: s.value
               for s in families["adizwatch_processing_latency_seconds"].samples
               if s.name.endswith("_bucket")}
    assert buckets["0.001"] == 1
    assert buckets["0.005"] == 2
    assert buckets["0.25"] == 3
    assert buckets["5.0"] == 3
    assert buckets["+Inf"] == 4
    stats = metrics.stats()
    assert stats["adizwatch_processing_latency_seconds_count{stage=geofence}"] == 4
    assert stats["adizwatch_batch_size_count{}"] == 2
    assert stats["adizwatch_batch_size_sum{}"] == 501


def test_every_metric_has_help_text_and_is_listed_in_the_module_docstring() -> None:
    import pipeline.metrics

    families = list(Metrics().registry.collect())
    assert len(families) == 9
    for family in families:
        assert family.documentation, family.name
        assert f"``{family.name}" in (pipeline.metrics.__doc__ or ""), family.name


def test_served_over_http_on_a_free_port() -> None:
    metrics = Metrics()
    metrics.count("decode.sbs", "adsb.sbs", "deadletter", "truncated")
    port = metrics.serve(0, addr="127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
            content_type = response.headers["Content-Type"]
    finally:
        metrics.close()
    assert content_type.startswith("text/plain; version=0.0.4")
    assert ('adizwatch_deadletters_total{reason="truncated",stage="decode.sbs",'
            'topic="adsb.sbs",unit="record"} 1.0') in text
