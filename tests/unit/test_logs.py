"""Log lines: key=value and JSON with the same fields, extras, tracebacks; secrets masked."""

from __future__ import annotations

import gc
import io
import logging
import re
import sys
import threading
from collections.abc import Iterator

import orjson
import pytest

from pipeline.logs import LineHandler, configure_logging

LINE = re.compile(r'^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=(\w+) logger=(\S+) msg=')


@pytest.fixture
def out() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    yield stream
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, LineHandler)]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    sys.unraisablehook = sys.__unraisablehook__
    threading.excepthook = threading.__excepthook__


def _raise(message: str) -> None:
    raise RuntimeError(message)


def test_text_lines_are_key_value_with_quoted_values(out: io.StringIO) -> None:
    configure_logging("INFO", "text", stream=out)
    log = logging.getLogger("pipeline.worker")
    log.info("starting worker group=%s", "adizwatch", extra={"topic": "adsb.sbs", "n": 3})
    log.debug("not shown")
    log.warning("plain", extra={"detail": 'say "hi" a=b'})
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert LINE.match(lines[0]).groups() == ("INFO", "pipeline.worker")  # type: ignore[union-attr]
    assert lines[0].split(" ", 3)[3] == (
        'msg="starting worker group=adizwatch" topic=adsb.sbs n=3')
    assert lines[1].split(" ", 3)[3] == r'msg=plain detail="say \"hi\" a=b"'


def test_json_lines_have_the_same_fields_extras_and_the_traceback(out: io.StringIO) -> None:
    configure_logging("debug", "json", stream=out)
    log = logging.getLogger("aiokafka.consumer")
    log.debug("fetch partition=%d", 2, extra={"topic": "t", "offsets": [1, 2]})
    try:
        _raise("boom")
    except RuntimeError:
        log.exception("failed")
    first, second = (orjson.loads(line) for line in out.getvalue().splitlines())
    assert set(first) == {"ts", "level", "logger", "msg", "topic", "offsets"}
    assert (first["level"], first["logger"], first["msg"], first["topic"], first["offsets"]) == (
        "DEBUG", "aiokafka.consumer", "fetch partition=2", "t", [1, 2])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])
    assert second["msg"] == "failed"
    assert second["exc"].startswith("Traceback (most recent call last):")
    assert second["exc"].endswith("RuntimeError: boom")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_masked_everywhere_in_a_record(out: io.StringIO, fmt: str) -> None:
    configure_logging("INFO", fmt, secrets=["hunter2", "", "kpw"], stream=out)
    log = logging.getLogger("faust.transport")
    log.info("connect password=hunter2 key=%s", "kpw")
    log.info("args %r", {"sasl_plain_password": "hunter2"})
    log.warning("extra", extra={"config": "user=svc password=hunter2"})
    try:
        _raise("auth failed for hunter2")
    except RuntimeError:
        log.exception("failed with %s", "hunter2")
    text = out.getvalue()
    assert "hunter2" not in text and "kpw" not in text
    # message 2, argument repr 1, extra 1, message 1, traceback 2 (source line and exception)
    assert text.count("***") == 7
    assert len(text.splitlines()) == 4


def test_a_second_configuration_replaces_the_first(out: io.StringIO) -> None:
    other = io.StringIO()
    configure_logging("INFO", "json", stream=other)
    configure_logging("WARNING", "text", stream=out)
    logging.getLogger("x").info("dropped")
    logging.getLogger("x").warning("kept")
    assert other.getvalue() == ""
    assert out.getvalue().endswith("msg=kept\n")


class _Noisy:
    def __del__(self) -> None:
        raise ValueError("broken in __del__")


def test_python_s_last_resort_reports_become_json_records(out: io.StringIO) -> None:
    configure_logging("INFO", "json", stream=out)
    noisy = _Noisy()
    del noisy
    gc.collect()
    thread = threading.Thread(target=_raise, args=("thread failed",), name="feeder")
    thread.start()
    thread.join()
    records = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["level"], r["logger"]) for r in records] == [
        ("WARNING", "pipeline.unraisable"), ("ERROR", "pipeline.thread")]
    assert "ValueError: broken in __del__" in records[0]["exc"]
    assert records[1]["msg"] == "thread feeder ended by an exception"
    assert "RuntimeError: thread failed" in records[1]["exc"]
