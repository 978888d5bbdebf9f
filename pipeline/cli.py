"""The ``adizwatch`` command line.

Subcommands:
  demo      embedded broker, the pipeline, the bundled feeds, alerts shown live
  run       run a worker against a Kafka cluster until SIGINT/SIGTERM
  picture   serve the watch-floor picture (live map of zones, tracks, alerts) on a local port
  replay    produce a recorded feed into a topic, keeping its pacing
  decode    decode a recorded feed offline, one track point per line as JSON
  watchlist check or load a watch-list CSV into the watchlists topic
  plans     check or load flight plans (JSON lines) into the flightplans topic
  zones     list, check, put and delete zones (``cli_zones.py``)

Exit codes: 0 success, 1 failure, 2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import orjson
from aiokafka.errors import KafkaError

from pipeline import cli_zones
from pipeline.geofence.errors import ZoneError
from pipeline.logs import configure_logging
from pipeline.settings import Settings, SettingsError, parse_bootstrap, parse_paths

log = logging.getLogger("adizwatch")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="adizwatch", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run everything on an embedded broker with the "
                                       "bundled feeds")
    pace = demo.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, default=None,
                      help="replay speed factor (default 600)")
    pace.add_argument("--as-fast-as-possible", action="store_true")
    demo.add_argument("--serve", action="store_true",
                      help="keep serving the picture after the replay, until Ctrl-C")
    demo.add_argument("--no-picture", action="store_true",
                      help="do not serve the picture (terminal only)")
    demo.add_argument("--port", type=int, default=None,
                      help="port of the picture (default 8077, or a free one if taken)")

    pic = sub.add_parser("picture", help="serve the watch-floor picture of a deployment")
    pic.add_argument("--bootstrap-servers", help="HOST:PORT[,HOST:PORT] "
                                                 "(env ADIZWATCH_BOOTSTRAP_SERVERS)")
    pic.add_argument("--zones", help="GeoJSON file(s) or directories drawn and used to "
                                     "place the map's seam (env ADIZWATCH_ZONES)")
    pic.add_argument("--host", default="127.0.0.1", help="address to listen on "
                                                         "(default 127.0.0.1)")
    pic.add_argument("--port", type=int, default=None, help="port (default 8077; 0 = free)")
    pic.add_argument("--embedded-broker", action="store_true", help=argparse.SUPPRESS)

    run = sub.add_parser("run", help="run a pipeline worker against a Kafka cluster")
    run.add_argument("--bootstrap-servers", help="HOST:PORT[,HOST:PORT] "
                                                 "(env ADIZWATCH_BOOTSTRAP_SERVERS)")
    run.add_argument("--zones", help="GeoJSON file(s) or directories, comma-separated "
                                     "(env ADIZWATCH_ZONES; default: the bundled ADIZ set)")
    run.add_argument("--embedded-broker", action="store_true", help=argparse.SUPPRESS)

    rep = sub.add_parser("replay", help="produce a recorded feed into a topic")
    rep.add_argument("file", type=Path)
    rep.add_argument("--topic", required=True)
    rep.add_argument("--bootstrap-servers")
    rep.add_argument("--key", help="key of raw lines (default: the file name without its "
                                   "extension, so one source keeps its order)")
    rep.add_argument("--no-key", action="store_true", help="send raw lines without a key")
    pace = rep.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, default=1.0,
                      help="scale the original pacing (default 1 = real time)")
    pace.add_argument("--as-fast-as-possible", action="store_true")

    dec = sub.add_parser(
        "decode", help="decode a recorded feed offline: track points as JSON lines on stdout, "
                       "a JSON summary line on stderr")
    dec.add_argument("--format", choices=["sbs", "readsb", "opensky", "canonical", "ais"],
                     default="sbs")
    dec.add_argument("--deadletters", type=Path, metavar="FILE",
                     help="also write the dead letters there, one JSON object per line")
    dec.add_argument("file", type=Path)

    for name, what in (("watchlist", "watch-list CSV rows"),
                       ("plans", "flight plans (JSON lines)")):
        cfg = sub.add_parser(name, help=f"{what}: check a file or load it into its topic")
        cfg_sub = cfg.add_subparsers(dest="config_command", required=True)
        for verb in ("check", "load"):
            cmd = cfg_sub.add_parser(verb, help=f"{verb} {what} "
                                     + ("offline" if verb == "check" else "into the topic"))
            cmd.add_argument("file", type=Path)
            if verb == "load":
                cmd.add_argument("--bootstrap-servers")

    cli_zones.add_parser(sub)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(os.environ)
    if getattr(args, "bootstrap_servers", None):
        settings = replace(settings, bootstrap_servers=parse_bootstrap(
            "--bootstrap-servers", args.bootstrap_servers))
    if getattr(args, "zones", None):
        settings = replace(settings, zones=parse_paths("--zones", args.zones))
    if getattr(args, "embedded_broker", False):
        settings = replace(settings, embedded_broker=True)
    return settings


def _cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.demo import DEFAULT_SPEED, run_demo

    speed = None if args.as_fast_as_possible else (args.speed or DEFAULT_SPEED)
    port = _port(args.port)
    return run_demo(speed=speed, picture=not args.no_picture, serve=args.serve,
                    picture_port=port)


def _port(value: int | None) -> int | None:
    if value is not None and not 0 <= value < 65536:
        raise SettingsError(f"--port: {value} is not a port number")
    return value


def _cmd_picture(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.picture.service import DEFAULT_PORT, PictureOptions, run_picture

    if settings.embedded_broker:
        from pipeline.transport.tansu_compat import apply_tansu_workarounds

        apply_tansu_workarounds()
    port = _port(args.port)
    options = PictureOptions(host=args.host, port=DEFAULT_PORT if port is None else port)
    return run_picture(settings, options)


def _cmd_run(settings: Settings) -> int:
    from pipeline.worker import run_worker

    return run_worker(settings)


def _cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from aiokafka import AIOKafkaProducer

    from pipeline.transport.admin import ensure_catalogue
    from pipeline.transport.kafka_client import client_kwargs
    from pipeline.transport.replay import read_feed, replay

    if args.speed is not None and args.speed <= 0:
        raise SettingsError("--speed: must be > 0")
    records = read_feed(args.file)
    speed = None if args.as_fast_as_possible else args.speed

    async def go() -> int:
        await ensure_catalogue(settings)  # the catalogue's topics as a worker creates them
        producer = AIOKafkaProducer(**client_kwargs(settings), linger_ms=5)
        await producer.start()
        try:
            key = None if args.no_key else (args.key or args.file.stem).encode()
            return await replay(records, producer, args.topic, speed, default_key=key)
        finally:
            await producer.stop()

    sent = asyncio.run(go())
    print(orjson.dumps({"file": str(args.file), "topic": args.topic, "records": sent}).decode(),
          file=sys.stderr)
    return 0


def _cmd_decode(args: argparse.Namespace) -> int:
    import time

    from pipeline.transport.offline import OfflineDecoder, read_records

    if not args.file.is_file():
        raise SettingsError(f"{args.file}: no such file")
    decoder = OfflineDecoder(args.format, now_ms=time.time_ns() // 1_000_000)
    out = sys.stdout.buffer
    letters_out = None if args.deadletters is None else args.deadletters.open("wb")
    try:
        for offset, raw in enumerate(read_records(args.file, args.format)):
            points, letters = decoder.feed(raw, offset)
            for point in points:
                out.write(point + b"\n")
            if letters_out is not None:
                letters_out.writelines(letter + b"\n" for letter in letters)
        letters = decoder.finish()
        if letters_out is not None:
            letters_out.writelines(letter + b"\n" for letter in letters)
    finally:
        if letters_out is not None:
            letters_out.close()
    out.flush()
    print(orjson.dumps(decoder.summary.as_json()).decode(), file=sys.stderr)
    return 0


def _cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    """Check a watch-list or flight-plan file (errors with line numbers) or load it."""
    from pipeline.transport.config_files import load_flightplan_files, load_watchlist_files

    watch = args.command == "watchlist"
    loaded = (load_watchlist_files if watch else load_flightplan_files)([args.file])
    for error in loaded.errors:
        print(f"skipped {error}", file=sys.stderr)
    count = len(loaded.watch) if watch else len(loaded.plans)
    if args.config_command == "load":
        from pipeline.transport.config_load import produce_config

        count = asyncio.run(produce_config(settings, loaded))
    print(orjson.dumps({"file": str(args.file), "records": count,
                        "skipped": len(loaded.errors),
                        "loaded": args.config_command == "load"}).decode(), file=sys.stderr)
    return 1 if loaded.errors and count == 0 else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
    except SettingsError as exc:
        print(f"adizwatch: {exc}", file=sys.stderr)
        return 2
    level = settings.log_level
    if args.command in ("demo", "replay") and "ADIZWATCH_LOG_LEVEL" not in os.environ:
        level = "WARNING"  # the demo's screen is for alerts; the worker logs to its file
    configure_logging(level, settings.log_format, settings.secrets)
    try:
        if args.command == "demo":
            return _cmd_demo(args)
        if args.command == "run":
            return _cmd_run(settings)
        if args.command == "picture":
            return _cmd_picture(args, settings)
        if args.command == "replay":
            return _cmd_replay(args, settings)
        if args.command == "decode":
            return _cmd_decode(args)
        if args.command in ("watchlist", "plans"):
            return _cmd_config(args, settings)
        return cli_zones.run(args, settings)
    except SettingsError as exc:
        print(f"adizwatch: {exc}", file=sys.stderr)
        return 2
    except ZoneError as exc:
        print(f"adizwatch: {exc.reason.value}: {exc}", file=sys.stderr)
        return 1
    except KafkaError as exc:
        # Unreachable broker, refused authentication, unknown topic...: one line, not a
        # traceback (the bootstrap servers and security settings are the usual suspects).
        print(f"adizwatch: Kafka: {exc} (bootstrap "
              f"{settings.bootstrap_servers}, security {settings.security_protocol})",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
