"""People, roles and sign-in, on the embedded SQLite file and on the real PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import argon2
import pytest
import sqlalchemy
from sqlalchemy import Engine

from console.cli import main
from feeds.domain import Role
from feeds.hub.accounts import Accounts, Session, User
from feeds.wire.errors import ErrorCode, ProtocolError

# A cheap argon2id: the rules are the same, the tests do not wait for the production cost.
CHEAP = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
PASSWORD = "correct horse"
HALL = Path(sys.executable).parent / "hall"


class Clock:
    """Time the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = sqlalchemy.create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def accounts(engine: Engine, clock: Clock, **options: Any) -> Accounts:
    return Accounts(engine, clock, hasher=CHEAP, **options)


def refusal(call: Callable[..., object], *args: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as raised:
        call(*args)
    return raised.value


def add_dispatcher(hall: Accounts, login: str = "zhangwei") -> User:
    return hall.add(login, "张伟", [Role.DISPATCHER, Role.LEAD], PASSWORD, scope="320102")


# -- users -------------------------------------------------------------------------------------------


def test_users_are_added_read_back_and_listed_by_login(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    wang = hall.add("wang.fang", "王芳", ["handler"], PASSWORD, department="drainage")
    zhang = add_dispatcher(hall)
    assert zhang == User("zhangwei", "张伟", frozenset({Role.DISPATCHER, Role.LEAD}), scope="320102")
    assert wang == User("wang.fang", "王芳", frozenset({Role.HANDLER}), department="drainage")
    reopened = accounts(engine, clock)
    assert reopened.get("zhangwei") == zhang
    assert reopened.get("nobody") is None
    assert reopened.list() == [wang, zhang]


@pytest.mark.parametrize("login", ["", "a" * 65, "张伟", "zhang wei", "a/b", "x;drop", "tab\t"])
def test_a_login_outside_the_allowed_characters_is_refused(engine: Engine, clock: Clock, login: str) -> None:
    hall = accounts(engine, clock)
    with pytest.raises(ValueError, match="a login is 1-64 of the characters"):
        hall.add(login, "张伟", ["wall"], PASSWORD)
    assert hall.list() == []


def test_every_allowed_login_character_is_taken(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    for login in ("a", "A" * 64, "Zhang.Wei_2@hall-1"):
        hall.add(login, "张伟", ["wall"], PASSWORD)
    assert len(hall.list()) == 3


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"roles": ["handler"]}, "a handler works for a department"),
        ({"roles": []}, "at least one role"),
        ({"roles": ["dispatcher", "boss"]}, "unknown role 'boss'; the roles are intake, lead"),
        ({"name": "  "}, "needs a name"),
        ({"password": "7 chars"}, "at least 8 characters"),
        ({"scope": "3201"}, "a scope is a 6-digit district or a 9-digit street code"),
    ],
)
def test_a_bad_user_is_refused_and_nothing_is_stored(
    engine: Engine, clock: Clock, change: dict[str, object], words: str
) -> None:
    hall = accounts(engine, clock)
    given: dict[str, object] = {"login": "li", "name": "李四", "roles": ["wall"], "password": PASSWORD}
    with pytest.raises(ValueError, match=words):
        hall.add(**(given | change))  # type: ignore[arg-type]
    assert hall.list() == []


def test_a_login_is_taken_once(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    with pytest.raises(ValueError, match="there is already a user 'zhangwei'"):
        hall.add("zhangwei", "另一个张伟", ["wall"], "another password")
    assert hall.get("zhangwei") == User(
        "zhangwei", "张伟", frozenset({Role.DISPATCHER, Role.LEAD}), scope="320102"
    )


def test_a_single_role_given_bare_is_one_role(engine: Engine, clock: Clock) -> None:
    assert accounts(engine, clock).add("wall1", "大屏", "wall", PASSWORD).roles == {Role.WALL}


# -- sign-in and sessions ------------------------------------------------------------------------------


def test_a_signed_in_token_is_resumed_after_a_restart(engine: Engine, db_url: str, clock: Clock) -> None:
    hall = accounts(engine, clock)
    user = add_dispatcher(hall)
    session = hall.sign_in("zhangwei", PASSWORD)
    assert session.user == user and session.expires == clock.now + 12 * 3600
    assert len(session.token) >= 43 and set(session.token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    assert hall.sign_in("zhangwei", PASSWORD).token != session.token  # each sign-in its own session

    restarted = sqlalchemy.create_engine(db_url)
    try:
        assert accounts(restarted, clock).resume(session.token) == session
    finally:
        restarted.dispose()


def test_an_unknown_login_and_a_wrong_password_are_told_alike(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    wrong = refusal(hall.sign_in, "zhangwei", "wrong password")
    unknown = refusal(hall.sign_in, "lisi", PASSWORD)
    assert (wrong.code, wrong.message) == (unknown.code, unknown.message)
    assert wrong.code == ErrorCode.BAD_CREDENTIALS


class CountingHasher(argon2.PasswordHasher):
    """The real hasher, noting which hashes it was asked to check."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8192, parallelism=1)
        self.checked: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.checked.append(str(hash))
        return super().verify(hash, password)


def test_an_unknown_login_costs_a_full_password_check(engine: Engine, clock: Clock) -> None:
    hasher = CountingHasher()
    hall = Accounts(engine, clock, hasher=hasher)
    add_dispatcher(hall)
    refusal(hall.sign_in, "zhangwei", "wrong password")
    refusal(hall.sign_in, "lisi", PASSWORD)
    refusal(hall.sign_in, "wangwu", PASSWORD)
    real, dummy, again = hasher.checked
    parameters = real.split("$")[1:4]  # argon2id, v=19, m=…,t=…,p=…
    assert dummy != real and dummy.split("$")[1:4] == parameters and again == dummy


def test_an_account_locks_after_consecutive_failures_until_the_lock_ends(
    engine: Engine, clock: Clock
) -> None:
    hall = accounts(engine, clock, max_failures=3, lock_s=600)
    add_dispatcher(hall)
    for _ in range(3):
        assert refusal(hall.sign_in, "zhangwei", "wrong password").code == ErrorCode.BAD_CREDENTIALS
    assert hall.locked() == {"zhangwei": clock.now + 600}
    clock.now += 599
    locked = refusal(hall.sign_in, "zhangwei", PASSWORD)  # even the right password
    assert locked.code == ErrorCode.LOCKED and "locked until" in locked.message
    clock.now += 1
    assert hall.locked() == {}
    assert hall.sign_in("zhangwei", PASSWORD).user.login == "zhangwei"


def test_a_success_starts_the_count_again(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock, max_failures=3)
    add_dispatcher(hall)
    for attempt in ["wrong 1", "wrong 2", PASSWORD, "wrong 3", "wrong 4", PASSWORD]:
        if attempt == PASSWORD:
            hall.sign_in("zhangwei", attempt)
        else:
            refusal(hall.sign_in, "zhangwei", attempt)
    assert hall.locked() == {}


def test_failures_survive_reopening_the_accounts(engine: Engine, db_url: str, clock: Clock) -> None:
    hall = accounts(engine, clock, max_failures=3)
    add_dispatcher(hall)
    refusal(hall.sign_in, "zhangwei", "wrong 1")
    refusal(hall.sign_in, "zhangwei", "wrong 2")
    restarted = sqlalchemy.create_engine(db_url)
    try:
        reopened = accounts(restarted, clock, max_failures=3)
        refusal(reopened.sign_in, "zhangwei", "wrong 3")
        assert refusal(reopened.sign_in, "zhangwei", PASSWORD).code == ErrorCode.LOCKED
    finally:
        restarted.dispose()


def test_an_expired_token_is_refused(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock, token_ttl_s=3600)
    add_dispatcher(hall)
    token = hall.sign_in("zhangwei", PASSWORD).token
    clock.now += 3599
    hall.resume(token)
    clock.now += 1
    assert refusal(hall.resume, token).code == ErrorCode.BAD_TOKEN
    hall.sign_in("zhangwei", PASSWORD)  # and the next sign-in clears the expired session away
    with engine.connect() as conn:
        assert conn.execute(sqlalchemy.text("SELECT count(*) FROM sessions")).scalar_one() == 1


def test_a_forged_token_is_refused(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    token = hall.sign_in("zhangwei", PASSWORD).token
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    digest = hashlib.sha256(token.encode()).hexdigest()  # what the database holds is not a token
    for forged in [secrets.token_urlsafe(32), altered, "", digest]:
        assert refusal(hall.resume, forged).code == ErrorCode.BAD_TOKEN


def test_signing_out_ends_that_session_only(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    desk, wall = hall.sign_in("zhangwei", PASSWORD), hall.sign_in("zhangwei", PASSWORD)
    hall.sign_out(desk.token)
    hall.sign_out(desk.token)  # twice is once
    assert refusal(hall.resume, desk.token).code == ErrorCode.BAD_TOKEN
    assert hall.resume(wall.token) == wall


def test_a_disabled_user_neither_signs_in_nor_keeps_sessions(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    session = hall.sign_in("zhangwei", PASSWORD)
    hall.disable("zhangwei")
    assert hall.get("zhangwei") == User(
        "zhangwei", "张伟", frozenset({Role.DISPATCHER, Role.LEAD}), scope="320102", disabled=True
    )
    assert refusal(hall.resume, session.token).code == ErrorCode.BAD_TOKEN
    assert refusal(hall.sign_in, "zhangwei", PASSWORD).code == ErrorCode.DISABLED
    # Only someone who knows the password learns that the account is disabled.
    assert refusal(hall.sign_in, "zhangwei", "wrong password").code == ErrorCode.BAD_CREDENTIALS
    with pytest.raises(ValueError, match="there is no user 'lisi'"):
        hall.disable("lisi")


def test_a_session_of_a_user_disabled_meanwhile_is_refused(engine: Engine, clock: Clock) -> None:
    """Sessions a disable did not end (a row changed by hand, another release) stop all the same."""
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    session = hall.sign_in("zhangwei", PASSWORD)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("UPDATE users SET disabled = true WHERE login = 'zhangwei'"))
    assert refusal(hall.resume, session.token).code == ErrorCode.DISABLED


def test_a_new_password_ends_the_old_sessions_and_the_lock(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock, max_failures=2)
    add_dispatcher(hall)
    old = hall.sign_in("zhangwei", PASSWORD)
    refusal(hall.sign_in, "zhangwei", "wrong 1")
    refusal(hall.sign_in, "zhangwei", "wrong 2")
    hall.set_password("zhangwei", "a new passphrase")
    assert refusal(hall.resume, old.token).code == ErrorCode.BAD_TOKEN
    assert refusal(hall.sign_in, "zhangwei", PASSWORD).code == ErrorCode.BAD_CREDENTIALS
    assert hall.resume(hall.sign_in("zhangwei", "a new passphrase").token).user.login == "zhangwei"
    with pytest.raises(ValueError, match="at least 8 characters"):
        hall.set_password("zhangwei", "short")
    with pytest.raises(ValueError, match="there is no user 'lisi'"):
        hall.set_password("lisi", "a new passphrase")


def test_a_hash_of_older_parameters_is_replaced_at_sign_in(engine: Engine, clock: Clock) -> None:
    add_dispatcher(accounts(engine, clock))
    stronger = argon2.PasswordHasher(time_cost=2, memory_cost=8192, parallelism=1)
    Accounts(engine, clock, hasher=stronger).sign_in("zhangwei", PASSWORD)
    with engine.connect() as conn:
        stored = conn.execute(sqlalchemy.text("SELECT password_hash FROM users")).scalar_one()
    assert not stronger.check_needs_rehash(stored) and stronger.verify(stored, PASSWORD)


def test_the_database_holds_neither_passwords_nor_tokens(engine: Engine, clock: Clock) -> None:
    hall = accounts(engine, clock)
    add_dispatcher(hall)
    token = hall.sign_in("zhangwei", PASSWORD).token
    with engine.connect() as conn:
        users = [dict(row._mapping) for row in conn.execute(sqlalchemy.text("SELECT * FROM users"))]
        sessions = [dict(row._mapping) for row in conn.execute(sqlalchemy.text("SELECT * FROM sessions"))]
    stored = repr(users) + repr(sessions)
    assert PASSWORD not in stored and token not in stored
    assert users[0]["password_hash"].startswith("$argon2id$")
    assert sessions[0]["token_sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert sessions[0]["login"] == "zhangwei"


# -- hall user -------------------------------------------------------------------------------------------


def hall_user(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["user", *args, "--db", db_url])


def test_hall_user_adds_lists_rekeys_and_disables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    add = ["add", "zhangwei", "--name", "张伟", "--role", "dispatcher", "--role", "lead", "--scope", "320102"]
    assert hall_user(monkeypatch, db_url, *add, stdin=f"{PASSWORD}\n") == 0
    handler = ["add", "wangfang", "--name", "王芳", "--role", "handler", "--department", "drainage"]
    assert hall_user(monkeypatch, db_url, *handler, stdin=f"{PASSWORD}\n") == 0
    assert hall_user(monkeypatch, db_url, "passwd", "zhangwei", stdin="a new passphrase\n") == 0
    assert hall_user(monkeypatch, db_url, "disable", "wangfang") == 0
    capsys.readouterr()
    assert hall_user(monkeypatch, db_url, "list") == 0
    header, wang, zhang = capsys.readouterr().out.splitlines()
    assert header.split() == ["login", "name", "roles", "department", "scope", "state"]
    assert wang.split() == ["wangfang", "王芳", "处置人员", "handler", "drainage", "disabled"]
    assert zhang.split() == [
        "zhangwei",
        "张伟",
        "值班长",
        "lead,",
        "派遣员",
        "dispatcher",
        "320102",
        "active",
    ]
    assert header.index("roles") == wang.index("处置人员") + 2  # Chinese characters are two columns wide

    engine = sqlalchemy.create_engine(db_url)
    try:
        hall = Accounts(engine)
        assert hall.sign_in("zhangwei", "a new passphrase").user.scope == "320102"
        assert refusal(hall.sign_in, "wangfang", PASSWORD).code == ErrorCode.DISABLED
    finally:
        engine.dispose()


def test_hall_user_list_shows_a_lock(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_url: str
) -> None:
    engine = sqlalchemy.create_engine(sqlite_url)
    try:
        hall = Accounts(engine, hasher=CHEAP)
        add_dispatcher(hall)
        for _ in range(5):
            refusal(hall.sign_in, "zhangwei", "wrong password")
        until = time.strftime("%H:%M", time.localtime(hall.locked()["zhangwei"]))
    finally:
        engine.dispose()
    assert hall_user(monkeypatch, sqlite_url, "list") == 0
    assert capsys.readouterr().out.splitlines()[1].endswith(f"locked until {until}")


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["add", "li", "--name", "李四", "--role", "boss"], PASSWORD, "unknown role 'boss'"),
        (["add", "li", "--name", "李四", "--role", "wall"], "short", "at least 8 characters"),
        (["add", "li", "--name", "李四", "--role", "wall"], "", "at least 8 characters"),
        (["add", "li", "--name", "李四", "--role", "handler"], PASSWORD, "a handler works for a department"),
        (["add", "zhangwei", "--name", "张", "--role", "wall"], PASSWORD, "already a user 'zhangwei'"),
        (
            ["add", "li", "--name", "李四", "--role", "wall", "--department", "bakery"],
            PASSWORD,
            "no department",
        ),
        (["add", "li", "--name", "李四", "--role", "wall", "--scope", "320199"], PASSWORD, "no district or"),
        (
            ["add", "li", "--name", "李四", "--role", "wall", "--scope", "320102001001"],
            PASSWORD,
            "no district",
        ),
        (["add", "li 2", "--name", "李四", "--role", "wall"], PASSWORD, "a login is 1-64"),
        (["passwd", "nobody"], PASSWORD, "there is no user 'nobody'"),
        (["disable", "nobody"], "", "there is no user 'nobody'"),
    ],
)
def test_hall_user_refuses_bad_input_in_one_line_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    args: list[str],
    stdin: str,
    words: str,
) -> None:
    add = ["add", "zhangwei", "--name", "张伟", "--role", "dispatcher"]
    assert hall_user(monkeypatch, sqlite_url, *add, stdin=PASSWORD) == 0
    capsys.readouterr()
    assert hall_user(monkeypatch, sqlite_url, "list") == 0
    before = capsys.readouterr().out
    assert hall_user(monkeypatch, sqlite_url, *args, stdin=stdin) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("hall: ") and words in error
    assert hall_user(monkeypatch, sqlite_url, "list") == 0
    assert capsys.readouterr().out == before


def test_hall_user_checks_codes_in_the_city_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    add = [
        "add",
        "li",
        "--name",
        "李四",
        "--role",
        "handler",
        "--department",
        "drainage",
        "--city",
        str(tmp_path),
    ]
    assert hall_user(monkeypatch, sqlite_url, *add, stdin=PASSWORD) == 2
    assert "is not usable: `hall city check" in capsys.readouterr().err


def test_hall_user_reads_the_password_from_a_pipe(sqlite_url: str) -> None:
    """The installed command, its password piped in as a script or a secrets manager would."""
    add = [str(HALL), "user", "add", "gateway-1", "--name", "12319热线", "--role", "producer"]
    run = subprocess.run(
        [*add, "--db", sqlite_url], input=f"{PASSWORD}\n", capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "added gateway-1 (12319热线)\n"
    engine = sqlalchemy.create_engine(sqlite_url)
    try:
        assert isinstance(Accounts(engine).sign_in("gateway-1", PASSWORD), Session)
    finally:
        engine.dispose()


# Run the command as a terminal session's leader, so that the pty is its terminal and getpass asks there.
ON_A_TERMINAL = (
    "import os, sys\n"
    "os.close(os.open(os.ttyname(0), os.O_RDWR))\n"
    "from console.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def typed_at_a_terminal(args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run ``hall`` on a pseudo-terminal, typing each answer once its password prompt shows."""
    master, slave = os.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c", ON_A_TERMINAL, *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    seen, typed, deadline = b"", 0, time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if not select.select([master], [], [], 1)[0]:
                continue
            try:
                seen += os.read(master, 4096)
            except OSError:  # the terminal's other side closed: the command ended
                break
            # Type only at a new prompt: getpass flushes what was typed before it asks.
            if typed < len(answers) and seen.count(b"password") > typed and seen.rstrip().endswith(b":"):
                os.write(master, answers[typed].encode() + b"\n")
                typed += 1
        return child.wait(timeout=10), seen.decode()
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
            child.wait()


def test_hall_user_asks_for_the_password_twice_on_a_terminal(sqlite_url: str) -> None:
    passwd = ["user", "passwd", "zhangwei", "--db", sqlite_url]
    add = ["user", "add", "zhangwei", "--name", "张伟", "--role", "wall", "--db", sqlite_url]
    code, said = typed_at_a_terminal(add, [PASSWORD, PASSWORD])
    assert code == 0 and "added zhangwei" in said and PASSWORD not in said  # typed, not shown
    code, said = typed_at_a_terminal(passwd, ["a new passphrase", "a new pass phrase"])
    assert code == 2 and "hall: the two passwords differ" in said
    engine = sqlalchemy.create_engine(sqlite_url)
    try:
        assert Accounts(engine).sign_in("zhangwei", PASSWORD).user.login == "zhangwei"
    finally:
        engine.dispose()
