"""Counters per stage, topic, outcome and reason, exposed in the Prometheus text format."""

from __future__ import annotations

import socket
import urllib.request

from pipeline.metrics import Metrics


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def test_served_over_http() -> None:
    metrics = Metrics()
    metrics.count("decode.sbs", "adsb.sbs", "deadletter", "truncated")
    port = _free_port()
    metrics.serve(port, addr="127.0.0.1")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    assert ('adizwatch_deadletters_total{reason="truncated",stage="decode.sbs",'
            'topic="adsb.sbs",unit="record"} 1.0') in text
