"""Log set-up of the entry points: one line per record on stderr, ``key=value`` or JSON.

``text`` (the default) writes ``ts=2024-05-01T12:00:00.123Z level=INFO logger=pipeline.worker
msg="starting worker" key=value ...``: values with spaces, quotes or ``=`` are quoted as JSON
strings, so a line splits unambiguously on spaces outside quotes (the logfmt convention).
``json`` writes one object a line with the same keys (orjson). Both add the fields given with
``extra=`` and the exception's traceback (``exc``).

Secrets: :class:`RedactSecrets`, on the handler, replaces every configured secret value (the
SASL password, the TLS key password) by ``***`` in the message, its arguments, the extra
fields and the traceback of every record, whichever library logged it.

The faust worker configures logging itself when it starts (``mode.Worker._setup_logging``:
``logging.root.handlers.clear()``, then a colour handler on stdout) unless it is built with
``override_logging=False`` (mode 0.4 ``Worker.__init__``); the worker passes that, so faust's
and aiokafka's records go through this handler too.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

import orjson

MASK = "***"

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class RedactSecrets(logging.Filter):
    """Masks the given secret values everywhere in a record (message, arguments, extras,
    traceback) before any formatter sees it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg = self._mask(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self._mask(record.stack_info)
        for key, value in _extras(record).items():
            text = value if isinstance(value, str) else repr(value)
            masked = self._mask(text)
            if masked != text:
                setattr(record, key, masked)
        return True


def _fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "level": record.levelname,
        "logger": record.name,
        "msg": record.getMessage(),
    }
    fields.update(_extras(record))
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    if record.exc_text:
        fields["exc"] = record.exc_text
    if record.stack_info:
        fields["stack"] = record.stack_info
    return fields


def _logfmt_value(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    if text and not any(c in text for c in ' "=\\') and text.isprintable():
        return text
    return orjson.dumps(text).decode()


class TextFormatter(logging.Formatter):
    """``key=value`` on one line (logfmt)."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_logfmt_value(value)}"
                        for key, value in _fields(record, self).items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line; values orjson cannot encode are written as ``str()``."""

    def format(self, record: logging.LogRecord) -> str:
        return orjson.dumps(_fields(record, self), default=str).decode()


class LineHandler(logging.StreamHandler[IO[str]]):
    """The handler :func:`configure_logging` installs; without a stream it writes to the
    ``sys.stderr`` of the moment (as the standard library's last-resort handler does), so a
    replaced or captured stderr is followed."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self._fixed = stream

    @property
    def stream(self) -> IO[str]:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        """``StreamHandler.__init__`` sets the stream; the property above decides."""


def configure_logging(level: str, fmt: str, secrets: Iterable[str] = (),
                      stream: IO[str] | None = None) -> None:
    """Install one line-per-record handler on the root logger (replacing the one an earlier
    call installed; handlers of others, such as pytest's, stay).

    Args:
        level: ``DEBUG``, ``INFO``, ``WARNING`` or ``ERROR``.
        fmt: ``text`` or ``json``.
        secrets: values masked as ``***`` in every record.
        stream: where lines go (default: ``sys.stderr``, looked up at each record).
    """
    handler = LineHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, LineHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    # Python's own last-resort reports ("Exception ignored in ...", an exception ending a
    # thread) would bypass the handler and break a JSON log with bare lines.
    sys.unraisablehook = _log_unraisable
    threading.excepthook = _log_thread_exception


def _log_unraisable(unraisable: Any) -> None:
    """Log what ``sys.unraisablehook`` gets (an exception Python could not raise: in a
    ``__del__``, a garbage-collected coroutine or future, ...) as one WARNING record."""
    where = unraisable.err_msg or "Exception ignored in"
    logging.getLogger("pipeline.unraisable").warning(
        "%s: %r", where, unraisable.object,
        exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))


def _log_thread_exception(args: threading.ExceptHookArgs) -> None:
    """Log an exception that ended a thread as one ERROR record (``threading.excepthook``)."""
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("pipeline.thread").error(
        "thread %s ended by an exception", name,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]
