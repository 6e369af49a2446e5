"""``hall demo``: a hub on an embedded SQLite, the simulator and the console in one command."""

from __future__ import annotations

import argparse
import ctypes
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from console.launch import checked_layout, run_console

READY_PREFIX = "hub listening on "
PR_SET_PDEATHSIG = 1  # prctl option, <linux/prctl.h>


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the demo dies, even by a signal that runs no cleanup."""
    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _hall(*args: str, **options: object) -> subprocess.Popen[str]:
    on_linux = {"preexec_fn": _die_with_parent} if sys.platform == "linux" else {}
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "console.cli", *args], text=True, **on_linux, **options
    )


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_demo(args: argparse.Namespace) -> int:
    if checked_layout(args) is None:  # say so before starting anything
        return 2
    folder = None if args.db else Path(tempfile.mkdtemp(prefix="hall-demo-"))
    db = args.db or f"sqlite:///{folder}/hall.db"
    city = ("--city", str(args.city)) if args.city else ()
    hub = _hall("hub", "--port", "0", "--db", db, *city, stdout=subprocess.PIPE)
    sim = None
    try:
        assert hub.stdout is not None
        line = hub.stdout.readline().strip()
        if not line.startswith(READY_PREFIX):
            print(
                f"hall: the hub did not start (exit code {hub.wait()}); see the messages above",
                file=sys.stderr,
            )
            return 1
        url = line.removeprefix(READY_PREFIX)
        print(f"demo: hub at {url}, database {db}", flush=True)
        sim = _hall(
            "sim",
            "--hub",
            url,
            "--scenario",
            args.scenario,
            "--rate",
            str(args.rate),
            "--seed",
            str(args.seed),
            *city,
            stdout=subprocess.DEVNULL,
        )
        return run_console(argparse.Namespace(**{**vars(args), "hub": url, "kind": None}))
    finally:
        if sim is not None:
            _stop(sim)
        _stop(hub)
        if folder is not None:  # the demo's own database goes with it
            shutil.rmtree(folder, ignore_errors=True)
