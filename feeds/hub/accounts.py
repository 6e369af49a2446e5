"""The hall's people: who they are, what roles they hold, and their sign-in.

Kept in the hub's own database, beside the records, so that users, failed
sign-ins and sessions survive a restart like everything else.  What is kept
would not help a thief of that database: passwords only as argon2id hashes,
session tokens only as SHA-256 digests (a token is 256 random bits, so a
plain digest cannot be walked back).

Every call blocks (a hash takes tens of milliseconds by design): the hub
calls these from a worker thread, never on its event loop.
"""

from __future__ import annotations

import builtins
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    case,
    delete,
    exc,
    select,
    update,
)

from feeds.domain import Role
from feeds.wire.errors import ErrorCode, ProtocolError

_metadata = MetaData()  # its own: the accounts are created by whoever opens them, store or CLI

_users = Table(
    "users",
    _metadata,
    Column("login", String(64), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("roles", String(128), nullable=False),  # Role values, comma-joined in Role order
    Column("department", String(32), nullable=False),
    Column("scope", String(9), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("failures", Integer, nullable=False),  # consecutive failed sign-ins
    Column("locked_until", Float, nullable=False),  # epoch seconds; 0 when never locked
)

_sessions = Table(
    "sessions",
    _metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("login", String(64), ForeignKey("users.login"), nullable=False, index=True),
    Column("issued", Float, nullable=False),
    Column("expires", Float, nullable=False, index=True),
)

_LOGIN = re.compile(r"[A-Za-z0-9_.@-]{1,64}")
_SCOPE = re.compile(r"\d{6}|\d{9}")  # a district or a street code
_MIN_PASSWORD = 8
_TOKEN_BYTES = 32  # 256 bits

# One answer for an unknown login and a wrong password: which of the two it was is not told.
_BAD_CREDENTIALS = "wrong login or password"


@dataclass(frozen=True)
class User:
    login: str
    name: str  # display name, e.g. 张伟
    roles: frozenset[Role]
    department: str = ""  # required for Role.HANDLER: the department code it works for
    scope: str = ""  # area code the user acts in ("" = whole city; a 6-digit district or 9-digit street)
    disabled: bool = False


@dataclass(frozen=True)
class Session:
    token: str  # opaque and URL-safe; the database holds only its SHA-256
    user: User
    expires: float  # epoch seconds


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row: Any) -> User:
    return User(
        row.login,
        row.name,
        frozenset(Role(role) for role in row.roles.split(",")),
        row.department,
        row.scope,
        row.disabled,
    )


def _roles(roles: Iterable[str]) -> frozenset[Role]:
    if isinstance(roles, str):  # one role given bare would otherwise be read letter by letter
        roles = [roles]
    known = {role.value for role in Role}
    unknown = sorted(set(roles) - known)
    if unknown:
        raise ValueError(f"unknown role {unknown[0]!r}; the roles are {', '.join(Role)}")
    chosen = frozenset(Role(role) for role in roles)
    if not chosen:
        raise ValueError("a user needs at least one role")
    return chosen


def _checked_user(login: str, name: str, roles: Iterable[str], department: str, scope: str) -> User:
    """The user these fields make; ValueError naming the first thing wrong."""
    if not _LOGIN.fullmatch(login):
        raise ValueError(f"a login is 1-64 of the characters A-Z a-z 0-9 _ . @ -, not {login!r}")
    name = name.strip()
    if not name or len(name) > 64:
        raise ValueError("a user needs a name of at most 64 characters")
    chosen = _roles(roles)
    if Role.HANDLER in chosen and not department:
        raise ValueError("a handler works for a department: give its code")
    if len(department) > 32:
        raise ValueError(f"a department code has at most 32 characters, not {department!r}")
    if scope and not _SCOPE.fullmatch(scope):
        raise ValueError(f"a scope is a 6-digit district or a 9-digit street code, not {scope!r}")
    return User(login, name, chosen, department, scope)


def _check_password(password: str) -> None:
    if len(password) < _MIN_PASSWORD:
        raise ValueError(f"a password has at least {_MIN_PASSWORD} characters")


class Accounts:
    """Users and sessions in ``engine``'s database (SQLite or PostgreSQL).

    ``clock`` gives epoch seconds (tests pass their own); after ``max_failures``
    consecutive failed sign-ins an account is locked for ``lock_s`` seconds;
    ``hasher`` defaults to argon2-cffi's own parameters (argon2id)."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], float] = time.time,
        *,
        token_ttl_s: float = 12 * 3600,
        max_failures: int = 5,
        lock_s: float = 900,
        hasher: argon2.PasswordHasher | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._ttl = token_ttl_s
        self._max_failures = max_failures
        self._lock_s = lock_s
        self._hasher = hasher or argon2.PasswordHasher()
        # Unknown logins are checked against this, so that they take as long as known ones.
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(_TOKEN_BYTES))
        _metadata.create_all(engine)

    # -- administration ---------------------------------------------------

    def add(
        self,
        login: str,
        name: str,
        roles: Iterable[str],
        password: str,
        department: str = "",
        scope: str = "",
    ) -> User:
        """A new user; raises ValueError naming the first thing wrong, and then stores nothing."""
        return self.add_crew([(login, name, roles, department, scope)], password)[0]

    def add_crew(
        self, people: Iterable[tuple[str, str, Iterable[str], str, str]], password: str
    ) -> builtins.list[User]:
        """New users sharing one password — a simulated crew, a gateway's devices — hashed once
        (each argon2id hash takes tens of milliseconds and 64 MiB).  All or nothing: the first
        thing wrong raises ValueError and nothing is stored."""
        _check_password(password)
        rows, users = [], []
        for login, name, roles, department, scope in people:
            user = _checked_user(login, name, roles, department, scope)
            users.append(user)
            rows.append(
                {
                    "login": login,
                    "name": user.name,
                    "roles": ",".join(role for role in Role if role in user.roles),
                    "department": department,
                    "scope": scope,
                    "disabled": False,
                    "failures": 0,
                    "locked_until": 0.0,
                }
            )
        password_hash = self._hasher.hash(password)
        try:
            with self._engine.begin() as conn:
                conn.execute(_users.insert(), [{**row, "password_hash": password_hash} for row in rows])
        except exc.IntegrityError:
            logins = ", ".join(repr(user.login) for user in users)
            raise ValueError(
                f"there is already a user {logins}" if len(users) == 1 else f"one of {logins} exists"
            ) from None
        return users

    def get(self, login: str) -> User | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(_users).where(_users.c.login == login)).first()
        return _user(row) if row else None

    def list(self) -> builtins.list[User]:
        """Every user, by login."""
        with self._engine.connect() as conn:
            return [_user(row) for row in conn.execute(select(_users).order_by(_users.c.login))]

    def set_password(self, login: str, password: str) -> None:
        """A new password ends every session of the user (a leaked one is why passwords change)
        and lifts a lock (an administrator vouches for the person)."""
        _check_password(password)
        self._change(login, password_hash=self._hasher.hash(password), failures=0, locked_until=0.0)

    def disable(self, login: str) -> None:
        """The user can no longer sign in, and the sessions open now end."""
        self._change(login, disabled=True)

    def locked(self) -> dict[str, float]:
        """The logins locked now, with when each lock ends (for the operator's list)."""
        query = select(_users.c.login, _users.c.locked_until).where(_users.c.locked_until > self._clock())
        with self._engine.connect() as conn:
            return {row.login: row.locked_until for row in conn.execute(query)}

    def _change(self, login: str, **values: Any) -> None:
        """Update a user and end its sessions, in one transaction."""
        with self._engine.begin() as conn:
            if conn.execute(update(_users).where(_users.c.login == login).values(values)).rowcount != 1:
                raise ValueError(f"there is no user {login!r}")
            conn.execute(delete(_sessions).where(_sessions.c.login == login))

    # -- sign-in ------------------------------------------------------------

    def sign_in(self, login: str, password: str) -> Session:
        """A new session, or ProtocolError: ``bad_credentials``, ``locked`` or ``disabled``.

        A disabled account is told as such only to someone who knows its password."""
        now = self._clock()
        with self._engine.connect() as conn:
            row = conn.execute(select(_users).where(_users.c.login == login)).first()
        if row is None:
            self._matches(self._dummy_hash, password)  # as slow as a real check: timing tells nothing
            raise ProtocolError(ErrorCode.BAD_CREDENTIALS, _BAD_CREDENTIALS)
        if row.locked_until > now:
            until = time.strftime("%H:%M", time.localtime(row.locked_until))
            minutes = max(1, round((row.locked_until - now) / 60))
            raise ProtocolError(
                ErrorCode.LOCKED,
                f"too many failed sign-ins: locked until {until} (about {minutes} min)",
            )
        if not self._matches(row.password_hash, password):
            self._failed(login, now)
            raise ProtocolError(ErrorCode.BAD_CREDENTIALS, _BAD_CREDENTIALS)
        if row.disabled:
            raise ProtocolError(ErrorCode.DISABLED, f"the account {login!r} is disabled")
        reset: dict[str, Any] = {"failures": 0}
        if self._hasher.check_needs_rehash(row.password_hash):  # stored under older parameters
            reset["password_hash"] = self._hasher.hash(password)
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        expires = now + self._ttl
        with self._engine.begin() as conn:
            conn.execute(update(_users).where(_users.c.login == login).values(reset))
            conn.execute(delete(_sessions).where(_sessions.c.expires <= now))  # keep the table small
            conn.execute(
                _sessions.insert().values(
                    token_sha256=_digest(token), login=login, issued=now, expires=expires
                )
            )
        return Session(token, _user(row), expires)

    def resume(self, token: str) -> Session:
        """The session a token stands for, or ProtocolError ``bad_token`` / ``disabled``."""
        query = (
            select(_users, _sessions.c.expires)
            .join(_sessions, _sessions.c.login == _users.c.login)
            .where(_sessions.c.token_sha256 == _digest(token))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.expires <= self._clock():
            raise ProtocolError(ErrorCode.BAD_TOKEN, "not signed in: the session ended or never was")
        if row.disabled:
            raise ProtocolError(ErrorCode.DISABLED, f"the account {row.login!r} is disabled")
        return Session(token, _user(row), row.expires)

    def ended(self, tokens: Iterable[str]) -> set[str]:
        """Which of ``tokens`` no longer stand for a session: signed out, expired, or the account
        disabled or given a new password since."""
        digests = {_digest(token): token for token in tokens}
        query = (
            select(_sessions.c.token_sha256)
            .join(_users, _sessions.c.login == _users.c.login)
            .where(
                _sessions.c.token_sha256.in_(digests),
                _sessions.c.expires > self._clock(),
                _users.c.disabled.is_(False),
            )
        )
        with self._engine.connect() as conn:
            alive = {row.token_sha256 for row in conn.execute(query)}
        return {token for digest, token in digests.items() if digest not in alive}

    def sign_out(self, token: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(_sessions).where(_sessions.c.token_sha256 == _digest(token)))

    def _failed(self, login: str, now: float) -> None:
        """Count a failure in one statement (parallel attempts all count); the last allowed one
        locks the account and starts a fresh count for after the lock."""
        locks = _users.c.failures + 1 >= self._max_failures
        with self._engine.begin() as conn:
            conn.execute(
                update(_users)
                .where(_users.c.login == login)
                .values(
                    failures=case((locks, 0), else_=_users.c.failures + 1),
                    locked_until=case((locks, now + self._lock_s), else_=_users.c.locked_until),
                )
            )

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):  # a damaged stored hash lets nobody in
            return False
