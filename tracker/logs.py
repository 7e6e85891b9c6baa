"""Logging for every ``tracker`` command: one JSON object per line on standard error.

Each line holds ``time`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``, ``message``,
``process`` (the command, e.g. ``tracker serve``) and ``pid``; ``request_id`` and
``correlation_id`` while a request is being served (from the context variables below, set by
``api.observability``); ``exception`` with the traceback when there is one; and any fields a
caller passes as ``extra={"fields": {...}}`` (the access log's method, path, status...).

``TRACKER_LOG_FORMAT=text`` prints plain lines for a person at a terminal instead;
``TRACKER_LOG_LEVEL`` (default ``INFO``) sets the threshold. Uvicorn's loggers go through the
same handler.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Final, TextIO

import msgspec

from tracker.errors import InvalidInput, TrackerError

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the HTTP request being served (``X-Request-Id``)."""
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
"""The id that ties this request to others of one piece of work (``X-Correlation-Id``); it is
stored in the metadata of the events the request writes."""

FORMATS: Final = ("json", "text")
LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
UVICORN_LOGGERS: Final = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

_encoder = msgspec.json.Encoder()


class LogConfig(msgspec.Struct, frozen=True, kw_only=True):
    format: str = "json"
    level: str = "INFO"


def load_log_config(env: Mapping[str, str] | None = None) -> LogConfig:
    """``TRACKER_LOG_FORMAT`` (json | text) and ``TRACKER_LOG_LEVEL``; a bad value is an error."""
    env = os.environ if env is None else env
    format_ = (env.get("TRACKER_LOG_FORMAT") or "json").strip().lower()
    if format_ not in FORMATS:
        raise InvalidInput(f"TRACKER_LOG_FORMAT must be json or text, got {format_!r}")
    level = (env.get("TRACKER_LOG_LEVEL") or "INFO").strip().upper()
    if level not in LEVELS:
        raise InvalidInput(f"TRACKER_LOG_LEVEL must be one of {', '.join(LEVELS)}, got {level!r}")
    return LogConfig(format=format_, level=level)


def _ids(record: logging.LogRecord) -> dict[str, str]:
    found = {}
    for name in ("request_id", "correlation_id"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            found[name] = value
    return found


def _fields(record: logging.LogRecord) -> dict[str, object]:
    fields = getattr(record, "fields", None)
    return dict(fields) if isinstance(fields, Mapping) else {}


class ContextIds(logging.Filter):
    """Stamps each record with the request and correlation ids of the context it was made in."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in (("request_id", request_id), ("correlation_id", correlation_id)):
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (msgspec never writes a raw newline)."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        line: dict[str, object] = {
            "time": when.replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": self.process,
            "pid": record.process,
        }
        line.update(_ids(record))
        for key, value in _fields(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return _encoder.encode(line).decode()


class TextFormatter(logging.Formatter):
    """``2026-11-26 12:00:00,000 INFO logger: message [key=value ...]`` for local use."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = {**_ids(record), **_fields(record)}
        if not extras:
            return text
        head, newline, rest = text.partition("\n")  # keep a traceback below the line
        tail = " ".join(f"{k}={v}" for k, v in extras.items())
        return f"{head} [{tail}]{newline}{rest}"


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted (not the one it was when
    the handler was made), so a command run in-process under a test's captured streams never
    writes to a closed file afterwards."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(process: str, config: LogConfig | None = None) -> logging.Handler:
    """Send every logger (the tracker's, uvicorn's, the libraries') through one handler on
    standard error. Replaces the handler an earlier call installed, so calling it twice is
    harmless; handlers someone else put on the root logger stay."""
    config = config or load_log_config()
    handler = StderrHandler()
    handler.addFilter(ContextIds())
    handler.setFormatter(JsonFormatter(process) if config.format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if isinstance(old, StderrHandler):
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config.level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Our access line (api.observability) replaces uvicorn's.
    logging.getLogger("uvicorn.access").disabled = True
    logging.captureWarnings(True)
    return handler


@contextmanager
def logging_for(process: str) -> Iterator[None]:
    """``configure_logging`` for one command; afterwards the root logger's handlers and level
    are as they were (which matters only when a command runs inside another program, such as
    a test calling ``service.cli.main``)."""
    root = logging.getLogger()
    level = root.level
    handler = configure_logging(process)
    try:
        yield
    except TrackerError:
        raise  # the command line reports it in one line ("error: ...")
    except Exception:
        # Python prints the traceback too, but only this line is in the JSON log.
        logging.getLogger("tracker").exception("%s failed", process)
        raise
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(False)
