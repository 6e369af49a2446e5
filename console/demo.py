"""``hall demo``: a hub on an embedded SQLite, the simulator and the console in one command."""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import astuple
from pathlib import Path

from console.launch import PASSWORD_VARIABLE, checked_layout, run_console, seat_user

READY_PREFIX = "hub listening on "
#: One person per role of the hall, and the simulator's producer account: (login, name, roles,
#: department).  Their demo passwords are "demo-" and the login; `hall demo` prints them.
DEMO_USERS = (
    ("intake", "陈静", ("intake",), ""),
    ("lead", "王强", ("lead",), ""),
    ("dispatcher", "李娜", ("dispatcher",), ""),
    ("drainage", "赵磊", ("handler",), "drainage"),
    ("sanitation", "孙丽", ("handler",), "sanitation"),
    ("enforcement", "刘洋", ("handler",), "enforcement"),
    ("inspector", "周杰", ("inspector",), ""),
    ("wall", "大屏", ("wall",), ""),
    ("admin", "管理员", ("admin",), ""),
    ("simulator", "城市模拟", ("producer",), ""),
)


def demo_password(login: str) -> str:
    return f"demo-{login}"


def seed_users(db: str, city: Path | None = None) -> None:
    """Give the demo's database its people, and the simulator's crew for the city (a folder, or the
    demo city) with the simulator's password; those already there keep their passwords."""
    from feeds.city import CityError, demo, load_city
    from feeds.hub.accounts import Accounts
    from feeds.hub.store import Store
    from feeds.sim.people import crew_accounts

    try:
        crew = crew_accounts(load_city(city) if city else demo().city)
    except CityError:  # the hub says what is wrong with the folder, and does not start
        crew = []
    store = Store(db)
    try:
        accounts = Accounts(store.engine)
        for login, name, roles, department in DEMO_USERS:
            if accounts.get(login) is None:
                accounts.add(login, name, roles, demo_password(login), department=department)
        missing = [astuple(member) for member in crew if accounts.get(member.login) is None]
        if missing:  # the crew shares the simulator's password: one hash for all of them
            accounts.add_crew(missing, demo_password("simulator"))
    finally:
        store.close()


def crew_roles(user: str) -> str:
    """The roles the simulator's crew plays (``hall sim --crew``): every one the seat's user does
    not hold, so the person at the desk gets that work and the crew moves the rest of the loop."""
    from feeds.sim.people import CREW_ROLES

    held = next((roles for login, _, roles, _ in DEMO_USERS if login == user), ())
    return ",".join(role for role in CREW_ROLES if role not in held) or "none"


def sign_ins() -> str:
    """The demo's sign-ins, as printed for a newcomer."""
    from console import names

    lines = ["demo sign-ins (login / password):"]
    for login, name, roles, department in DEMO_USERS:
        role = "、".join(names.role_name(r) for r in roles)
        where = f" · {names.department_name(department)}" if department else ""
        lines.append(f"  {login:<12} {demo_password(login):<18} {name} · {role}{where}")
    return "\n".join(lines)


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
    layout = checked_layout(args)
    if layout is None:  # say so before starting anything
        return 2
    folder = None if args.db else Path(tempfile.mkdtemp(prefix="hall-demo-"))
    db = args.db or f"sqlite:///{folder}/hall.db"
    city = ("--city", str(args.city)) if args.city else ()
    seed_users(db, args.city)
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
        print(sign_ins(), flush=True)
        print(f"demo: this seat is signed in as {seat_user(args, layout)}", flush=True)
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
            "--crew",
            crew_roles(seat_user(args, layout)),
            *city,
            stdout=subprocess.DEVNULL,
            env={**os.environ, PASSWORD_VARIABLE: demo_password("simulator")},
        )
        user = seat_user(args, layout)
        seat = {"hub": url, "kind": None, "user": user, "password": demo_password(user)}
        return run_console(argparse.Namespace(**{**vars(args), **seat}))
    finally:
        if sim is not None:
            _stop(sim)
        _stop(hub)
        if folder is not None:  # the demo's own database goes with it
            shutil.rmtree(folder, ignore_errors=True)
