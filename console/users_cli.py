"""``hall user``: the operator adds, lists, re-keys and disables the hall's users.

Passwords come from stdin when it is not a terminal (a pipe, a secrets file)
or from a twice-typed prompt; never from an argument, which would show in
``ps`` and the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import time
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from feeds.hub.accounts import Accounts


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("password again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def _check_city(args: argparse.Namespace) -> None:
    """The department and scope must be the city's own: a typo would lock the user out of its work."""
    from feeds.city import demo, open_folder

    if not args.department and not args.scope:
        return
    city = open_folder(args.city).city if args.city else demo().city
    if args.department and args.department not in city.departments:
        raise ValueError(f"{city.name} has no department {args.department!r}")
    area = city.area(args.scope) if args.scope else None
    if args.scope and (area is None or area.level not in ("district", "street")):
        raise ValueError(f"{city.name} has no district or street {args.scope!r}")


def _add(accounts: Accounts, args: argparse.Namespace) -> str:
    _check_city(args)
    user = accounts.add(args.login, args.name, args.role, _password(), args.department, args.scope)
    return f"added {user.login} ({user.name})"


def _passwd(accounts: Accounts, args: argparse.Namespace) -> str:
    accounts.set_password(args.login, _password())
    return f"new password for {args.login}; its sessions ended"


def _disable(accounts: Accounts, args: argparse.Namespace) -> str:
    accounts.disable(args.login)
    return f"disabled {args.login}; its sessions ended"


def _width(text: str) -> int:
    """Columns a terminal gives the text: two for each Chinese character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _list(accounts: Accounts, _args: argparse.Namespace) -> str:
    from feeds.domain import ROLE_NAMES, Role

    locked = accounts.locked()
    rows = [("login", "name", "roles", "department", "scope", "state")]
    for user in accounts.list():
        roles = ", ".join(f"{ROLE_NAMES[role][0]} {role}" for role in Role if role in user.roles)
        state = "disabled" if user.disabled else "active"
        if user.login in locked and not user.disabled:
            state = time.strftime("locked until %H:%M", time.localtime(locked[user.login]))
        rows.append((user.login, user.name, roles, user.department, user.scope, state))
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    )


def _run(action: Callable[[Accounts, argparse.Namespace], str]) -> Callable[[argparse.Namespace], int]:
    """Open the hub's database, do one thing, and say what was done or the one reason it was not."""

    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from feeds.city import CityError
        from feeds.hub.accounts import Accounts
        from feeds.hub.store import Store, default_url

        try:
            store = Store(args.db or default_url())
            try:
                print(action(Accounts(store.engine), args))
            finally:
                store.close()
        except ValueError as error:
            print(f"hall: {error}", file=sys.stderr)
            return 2
        except CityError:
            print(f"hall: {args.city} is not usable: `hall city check {args.city}` says why", file=sys.stderr)
            return 2
        except SQLAlchemyError as error:
            print(f"hall: the database failed: {str(error).splitlines()[0]}", file=sys.stderr)
            return 1
        return 0

    return run


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], folder: Callable[[str], Path]
) -> None:
    """Register ``hall user`` on the ``hall`` command's subparsers."""
    verbs = commands.add_parser("user", help="the hall's users: add, list, passwd, disable").add_subparsers(
        dest="verb", required=True
    )
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db", help="SQLAlchemy URL (default: the hub's SQLite file in the user data directory)"
    )

    add = verbs.add_parser(
        "add",
        parents=[database],
        help="add a user; the password is read from stdin, or asked twice on a terminal",
    )
    add.add_argument("login", help="1-64 of A-Z a-z 0-9 _ . @ -")
    add.add_argument("--name", required=True, help="the name the hall shows, e.g. 张伟")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        help="repeatable, e.g. --role dispatcher --role lead (a wrong one is answered with the list)",
    )
    add.add_argument("--department", default="", help="the department's code (a handler needs one)")
    add.add_argument("--scope", default="", help="a district or street code (default: the whole city)")
    add.add_argument("--city", type=folder, help="the city the codes are checked in (default: the demo city)")
    add.set_defaults(run=_run(_add))

    listing = verbs.add_parser("list", parents=[database], help="every user, with roles and state")
    listing.set_defaults(run=_run(_list))

    passwd = verbs.add_parser(
        "passwd", parents=[database], help="set a new password; ends the user's sessions"
    )
    passwd.add_argument("login")
    passwd.set_defaults(run=_run(_passwd))

    disable = verbs.add_parser("disable", parents=[database], help="refuse the user's sign-in and sessions")
    disable.add_argument("login")
    disable.set_defaults(run=_run(_disable))
