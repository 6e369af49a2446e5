"""The ``hall`` command: hub, simulator, console, the all-in-one demo, cities and users."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from pathlib import Path

from console import users_cli

#: The simulator's scenarios (feeds.sim.SCENARIOS, written out so that parsing the command line
#: does not load the simulator).
SCENARIOS = ("normal", "rainstorm", "snow", "gas-leak")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("supervision-hall")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _protocol() -> int:
    from feeds.wire.codec import PROTOCOL_VERSION

    return PROTOCOL_VERSION


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _hub_url(text: str) -> str:
    if not text.startswith(("ws://", "wss://")):
        raise argparse.ArgumentTypeError(f"a hub address starts with ws:// or wss://, not {text!r}")
    return text


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


def _folder(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a folder")
    return path


def _password(user: str) -> str:
    """The password of ``user``: from HALL_PASSWORD, or asked for on a terminal ("" otherwise)."""
    from console.launch import PASSWORD_VARIABLE

    password = os.environ.get(PASSWORD_VARIABLE, "")
    if not password and sys.stdin.isatty():
        password = getpass.getpass(f"password of {user}: ")
    return password


def _crew(text: str) -> tuple[str, ...]:
    from feeds.sim.people import CREW_ROLES

    if text in ("all", "none"):
        return CREW_ROLES if text == "all" else ()
    roles = tuple(role.strip() for role in text.split(","))
    unknown = [role for role in roles if role not in CREW_ROLES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"the crew plays {', '.join(CREW_ROLES)} (or all, or none), not {', '.join(unknown)}"
        )
    return roles


def _say_problems(problems: list[object]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _hub(args: argparse.Namespace) -> int:
    from feeds.city import CityError
    from feeds.hub import run_hub

    async def main() -> None:
        await run_hub(
            args.host,
            args.port,
            args.db,
            city=args.city,
            on_ready=lambda url: print(f"hub listening on {url}", flush=True),
            stop=_stop_on_signals(),
        )

    try:
        asyncio.run(main())
    except CityError as error:
        _say_problems(error.problems)  # type: ignore[arg-type]
        print(f"hall: the city folder {args.city} is not usable; the hub did not start", file=sys.stderr)
        return 2
    return 0


def _status(args: argparse.Namespace) -> int:
    """Ask a hub for its counters and print them: the operator's view."""
    from websockets.asyncio.client import connect

    from feeds import wire

    password = _password(args.user)

    async def ask() -> wire.Status:
        async with connect(args.hub, max_size=wire.MAX_FRAME_BYTES, open_timeout=10) as ws:
            await ws.send(
                wire.encode(wire.Hello(wire.PROTOCOL_VERSION, "wall", args.user, password, topics=[])),
                text=True,
            )
            await ws.send(wire.encode(wire.GetStatus("status")), text=True)
            async with asyncio.timeout(10):
                while True:
                    message = wire.decode_server(await ws.recv())
                    if isinstance(message, wire.Status):
                        return message
                    if isinstance(message, wire.Error):
                        raise RuntimeError(f"{message.code}: {message.message}")

    try:
        status = asyncio.run(ask())
    except (OSError, TimeoutError, RuntimeError) as error:
        print(f"hall: no status from {args.hub}: {error}", file=sys.stderr)
        return 1
    hours = status.uptime_s / 3600
    print(f"hub {status.hub}: up {hours:.1f} h, {status.commits} commits, write batch {status.write_batch}")
    print(*status.counts(), sep="\n")
    print("topics: " + ", ".join(f"{topic} {seq}" for topic, seq in status.seqs.items()))
    return 0


def _city_check(args: argparse.Namespace) -> int:
    from feeds.city import CityError, open_folder

    try:
        folder = open_folder(args.folder, args.tolerance)
    except CityError as error:
        _say_problems(error.problems)  # type: ignore[arg-type]
        errors = sum(p.error for p in error.problems)
        print(f"{args.folder}: {errors} problem(s); not usable", file=sys.stderr)
        return 1
    _say_problems(folder.problems)  # type: ignore[arg-type]
    city = folder.city
    names = {"district": "districts", "street": "streets", "community": "communities", "grid": "grids"}
    counts = ", ".join(f"{len(city.areas[level])} {plural}" for level, plural in names.items())
    print(f"{args.folder}: {city.name} ({city.code}): {counts}, {len(city.roads)} roads; usable")
    return 0


def _city_import(args: argparse.Namespace) -> int:
    from feeds.city.folder import write_folder
    from feeds.city.importer import LayerSpec, import_city

    try:
        specs = [LayerSpec.parse(spec) for spec in args.layers]
    except ValueError as error:
        print(f"hall: {error}", file=sys.stderr)
        return 2
    result = import_city(
        specs,
        name=args.name,
        source_crs=args.crs,
        code=args.code or "",
        name_en=args.name_en or "",
        tables=args.tables,
        skip_bad=args.skip_bad,
    )
    _say_problems(result.problems)  # type: ignore[arg-type]
    for note in result.notes:
        print(note)
    if result.documents is None:
        errors = sum(p.error for p in result.problems)
        hint = " (--skip-bad leaves unusable features out)" if not args.skip_bad else ""
        print(f"hall: {errors} problem(s); nothing written to {args.out}{hint}", file=sys.stderr)
        return 1
    try:
        write_folder(args.out, result.documents, replace=args.replace)
    except FileExistsError as error:
        print(f"hall: {error}; --replace overwrites it", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: serve it with `hall hub --city {args.out}`")
    return 0


def _sim(args: argparse.Namespace) -> int:
    from feeds.city import CityError, demo, load_city
    from feeds.sim import HubRefused, run_simulator
    from feeds.sim.crew import run_crew

    try:
        city = load_city(args.city) if args.city else None
    except CityError as error:
        _say_problems(error.problems)  # type: ignore[arg-type]
        return 2

    password = _password(args.user)

    async def main() -> None:
        stop = _stop_on_signals()
        play = run_simulator(
            args.hub,
            args.scenario,
            args.rate,
            args.seed,
            args.seconds,
            user=args.user,
            city=city,
            password=password,
        )
        work = asyncio.create_task(play)
        crew = asyncio.create_task(play_crew(stop)) if args.crew else None
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if work.done():
            print(work.result(), flush=True)
        else:
            work.cancel()
        if crew is not None:
            crew.cancel()
            await asyncio.gather(crew, return_exceptions=True)

    async def play_crew(stop: asyncio.Event) -> None:
        """The hall's people beside the city, with the same password."""
        try:
            await run_crew(args.hub, city or demo().city, password, args.crew, args.pace, args.seed, stop)
        except HubRefused as error:
            print(f"hall: {error}; the simulator plays on without its crew", file=sys.stderr, flush=True)

    asyncio.run(main())
    return 0


def _console(args: argparse.Namespace) -> int:
    from console.launch import run_console

    return run_console(args)


def _demo(args: argparse.Namespace) -> int:
    from console.demo import run_demo

    return run_demo(args)


def _add_console_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layout", default="desk", help="layout name from layouts/ (desk, wall)")
    parser.add_argument(
        "--user", help="who signs in at this seat (default: dispatcher at a desk, wall on the wall)"
    )
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"), help="UI language")
    parser.add_argument("--seconds", type=_positive, help="run this long, then exit 0")
    parser.add_argument("--screenshot", metavar="DIR", help="with --seconds: save a PNG of every window here")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hall", description="Supervision Hall — 数字化城市管理监督指挥中心")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    parser.add_argument("--version", action="version", version=f"hall {_version()} (protocol {_protocol()})")
    commands = parser.add_subparsers(dest="command", required=True)

    hub = commands.add_parser("hub", help="run the hub (system of record)")
    hub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    hub.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    hub.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in the user data directory)")
    hub.add_argument("--city", type=_folder, help="the city folder to serve (default: the demo city)")
    hub.set_defaults(run=_hub)

    status = commands.add_parser(
        "status", help="a hub's counters: connections, errors by code, refused items"
    )
    status.add_argument("--hub", type=_hub_url, default="ws://127.0.0.1:8765", help="hub URL")
    status.add_argument("--user", default="admin", help="sign in as (password: HALL_PASSWORD or asked)")
    status.set_defaults(run=_status)

    sim = commands.add_parser("sim", help="play the demo city into a hub")
    sim.add_argument("--hub", type=_hub_url, default="ws://127.0.0.1:8765", help="hub URL")
    sim.add_argument("--scenario", default="normal", choices=SCENARIOS)
    sim.add_argument("--rate", type=_positive, default=300, help="sensor readings and GPS fixes per second")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--seconds", type=_positive, help="stop after this long (default: run until stopped)")
    sim.add_argument(
        "--user", default="simulator", help="its producer account (password: HALL_PASSWORD or asked)"
    )
    sim.add_argument("--city", type=_folder, help="the city folder to play (default: the demo city)")
    sim.add_argument(
        "--crew",
        metavar="ROLES",
        type=_crew,
        default="all",
        help="the hall's people it plays, signed in as sim-<role> and sim-<department> with its "
        "password: a comma list of intake, lead, dispatcher, handler, inspector; all (default) or none",
    )
    sim.add_argument(
        "--pace", type=_positive, default=60, help="the crew's simulated seconds per second (default: 60)"
    )
    sim.set_defaults(run=_sim)

    console = commands.add_parser("console", help="open the console")
    console.add_argument("--hub", type=_hub_url, default="ws://127.0.0.1:8765", help="hub URL")
    console.add_argument("--kind", choices=("console", "wall"), help="connect as (default: from the layout)")
    _add_console_options(console)
    console.set_defaults(run=_console)

    demo = commands.add_parser("demo", help="hub + simulator + console on an embedded SQLite")
    demo.add_argument("--scenario", default="rainstorm", choices=SCENARIOS)
    demo.add_argument("--rate", type=_positive, default=400, help="simulator messages per second")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file, removed on exit)")
    demo.add_argument("--city", type=_folder, help="a city folder (default: the demo city)")
    _add_console_options(demo)
    demo.set_defaults(run=_demo)

    city = commands.add_parser("city", help="make and check city folders").add_subparsers(
        dest="verb", required=True
    )
    check = city.add_parser(
        "check", help="say what makes a city folder unusable; exit 0 only when it is usable"
    )
    check.add_argument("folder", type=Path)
    check.add_argument(
        "--tolerance", type=_positive, default=10.0, help="overlaps and gaps under this (m²) are noise"
    )
    check.set_defaults(run=_city_check)
    make = city.add_parser(
        "import",
        help="make a city folder from GeoJSON layers",
        description="LAYER is one of districts, streets, communities, grids, roads, sensors, cameras, "
        "components; name the fields holding codes and names when they are not code and name.",
    )
    make.add_argument("out", type=Path, help="the city folder to write")
    make.add_argument("layers", nargs="+", metavar="LAYER=FILE[:name=FIELD,code=FIELD]")
    make.add_argument("--name", required=True, help="the city's name, e.g. 南京市")
    make.add_argument("--name-en", help="its English name")
    make.add_argument("--code", help="6-digit division code (default: from the districts' codes)")
    make.add_argument(
        "--crs", default="wgs84", choices=("wgs84", "cgcs2000", "gcj02", "bd09"), help="of the files"
    )
    make.add_argument(
        "--tables", type=_folder, help="a folder with the city's own tables (default: the national ones)"
    )
    make.add_argument(
        "--skip-bad", action="store_true", help="write the folder without the features it cannot use"
    )
    make.add_argument("--replace", action="store_true", help="replace OUT if it exists")
    make.set_defaults(run=_city_import)

    users_cli.add_parser(commands, _folder)
    alarms = commands.add_parser("alarms", help="the alarms' record").add_subparsers(
        dest="verb", required=True
    )
    review = alarms.add_parser(
        "review", help="ISA-18.2 review: the time spent in alarm floods and the ten bad actors"
    )
    review.add_argument(
        "--db", help="SQLAlchemy URL (default: the hub's SQLite file in the user data directory)"
    )
    review.add_argument(
        "--since", type=_when, required=True, help='from, e.g. "2026-11-29 00:00" (local time)'
    )
    review.add_argument("--until", type=_when, help="to (default: now)")
    review.set_defaults(run=_alarm_review)
    _add_report_parser(commands)
    return parser


def _add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reports = commands.add_parser(
        "report", help="evaluation reports as files: a workbook (xlsx) and a PDF"
    ).add_subparsers(dest="verb", required=True)
    for kind, option, form, example, what in (
        ("monthly", "--month", "YYYY-MM", "2026-03", "月评比: a month's figures, rankings and grades"),
        ("weekly", "--week", "YYYY-Www", "2026-W09", "周排名: an ISO week's figures, rankings and grades"),
    ):
        report = reports.add_parser(kind, help=what, description=what)
        report.add_argument(option, dest="period", metavar=form, required=True, help=f"e.g. {example}")
        report.add_argument(
            "--out", metavar="DIR", type=Path, required=True, help="the folder to write the files into"
        )
        report.add_argument(
            "--db", help="SQLAlchemy URL (default: the hub's SQLite file in the user data directory)"
        )
        report.add_argument("--city", type=_folder, help="the city folder (default: the demo city)")
        report.set_defaults(run=_report)


def _when(text: str) -> float:
    """A local date and time (2026-11-29, 2026-11-29 08:00) as epoch seconds."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date and time: {text!r}") from error


def _alarm_review(args: argparse.Namespace) -> int:
    """When the hall was in a flood of alarms, for how long, and which alarms were raised most."""
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from feeds.hub.review import bad_actors, flood_periods
    from feeds.hub.store import Store, default_url

    until = args.until or time.time()
    if until <= args.since:
        print("hall: --until must come after --since", file=sys.stderr)
        return 2
    try:
        store = Store(args.db or default_url())
        try:
            raised = store.raises(args.since, until)
        finally:
            store.close()
    except SQLAlchemyError as error:
        print(f"hall: the database failed: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    floods = flood_periods([at for at, _, _ in raised])
    minute = "%m-%d %H:%M"
    print(f"alarms raised: {len(raised)}, {len(raised) / ((until - args.since) / 600):.1f} per 10 minutes")
    flooded_min = sum(end - start for start, end in floods) / 60
    print(f"in flood (more than 10 in 10 minutes): {flooded_min:.0f} min, {len(floods)} time(s)")
    for start, end in floods:
        print(
            f"  {time.strftime(minute, time.localtime(start))} – {time.strftime(minute, time.localtime(end))}"
        )
    print("bad actors (raised most):")
    for sensor, condition, times in bad_actors((sensor, condition) for _, sensor, condition in raised):
        print(f"  {times:5d}  {sensor} {condition}")
    return 0


def _report(args: argparse.Namespace) -> int:
    """Write a month's or a week's evaluation as an xlsx and a PDF; a closed period's files are the
    same however often they are made."""
    import time

    from sqlalchemy.exc import SQLAlchemyError

    from feeds.city import CityError, demo, load_city
    from feeds.hub.reports import MissingFont, ReportError, make_report
    from feeds.hub.store import default_url

    try:
        city = load_city(args.city) if args.city else demo().city
    except CityError as error:
        _say_problems(error.problems)  # type: ignore[arg-type]
        return 2
    try:
        written = make_report(city, args.db or default_url(), args.verb, args.period, args.out, time.time())
    except ReportError as error:
        print(f"hall: {error}; nothing written", file=sys.stderr)
        return 2
    except (MissingFont, OSError) as error:
        print(f"hall: {error}; nothing written", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"hall: the database failed: {str(error).splitlines()[0]}; nothing written", file=sys.stderr)
        return 1
    print(*(f"wrote {path}" for path in written), sep="\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.command == "hub":  # a hub says what it serves, and a status line a minute
        logging.getLogger("hall.hub").setLevel(logging.INFO)
    if args.command in ("console", "demo") and args.screenshot and args.seconds is None:
        print(
            "hall: --screenshot needs --seconds N (how long to run before taking the pictures)",
            file=sys.stderr,
        )
        return 2
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
