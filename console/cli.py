"""The ``hall`` command: hub, simulator, console and the all-in-one demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys


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


def _hub(args: argparse.Namespace) -> int:
    from feeds.hub import run_hub

    async def main() -> None:
        await run_hub(
            args.host,
            args.port,
            args.db,
            on_ready=lambda url: print(f"hub listening on {url}", flush=True),
            stop=_stop_on_signals(),
        )

    asyncio.run(main())
    return 0


def _sim(args: argparse.Namespace) -> int:
    from feeds.sim import run_simulator

    async def main() -> None:
        stop = _stop_on_signals()
        work = asyncio.create_task(
            run_simulator(args.hub, args.scenario, args.rate, args.seed, args.seconds, user=args.user)
        )
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if work.done():
            print(work.result(), flush=True)
        else:
            work.cancel()

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
    parser.add_argument("--user", default="dispatcher", help="who acts at this seat")
    parser.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"), help="UI language")
    parser.add_argument("--seconds", type=_positive, help="run this long, then exit 0")
    parser.add_argument("--screenshot", metavar="DIR", help="with --seconds: save a PNG of every window here")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hall", description="Supervision Hall — 数字化城市管理监督指挥中心")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True)

    hub = commands.add_parser("hub", help="run the hub (system of record)")
    hub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    hub.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    hub.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in the user data directory)")
    hub.set_defaults(run=_hub)

    sim = commands.add_parser("sim", help="play the demo city into a hub")
    sim.add_argument("--hub", type=_hub_url, default="ws://127.0.0.1:8765", help="hub URL")
    sim.add_argument("--scenario", default="normal", choices=("normal", "rainstorm"))
    sim.add_argument("--rate", type=_positive, default=300, help="sensor readings and GPS fixes per second")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--seconds", type=_positive, help="stop after this long (default: run until stopped)")
    sim.add_argument("--user", default="simulator")
    sim.set_defaults(run=_sim)

    console = commands.add_parser("console", help="open the console")
    console.add_argument("--hub", type=_hub_url, default="ws://127.0.0.1:8765", help="hub URL")
    console.add_argument("--kind", choices=("console", "wall"), help="connect as (default: from the layout)")
    _add_console_options(console)
    console.set_defaults(run=_console)

    demo = commands.add_parser("demo", help="hub + simulator + console on an embedded SQLite")
    demo.add_argument("--scenario", default="rainstorm", choices=("normal", "rainstorm"))
    demo.add_argument("--rate", type=_positive, default=400, help="simulator messages per second")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--db", help="SQLAlchemy URL (default: a fresh SQLite file in a temporary folder)")
    _add_console_options(demo)
    demo.set_defaults(run=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    if args.command in ("console", "demo") and args.screenshot and args.seconds is None:
        print(
            "hall: --screenshot needs --seconds N (how long to run before taking the pictures)",
            file=sys.stderr,
        )
        return 2
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
