"""The system of record: SQLAlchemy Core over SQLite (default) or PostgreSQL.

The hub is the only writer.  It calls :meth:`Store.commit` from one worker
thread with everything that changed since the last commit (group commit), so
one transaction covers many messages and an acknowledgement is sent only
after the transaction that holds its data has committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

from feeds.hub.batch import WriteBatch
from feeds.records import Alarm, Case, Sensor, TimelineEntry, Vehicle

metadata = MetaData()

meta = Table("hall_meta", metadata, Column("key", String(64), primary_key=True), Column("value", Text))

cases = Table(
    "cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("report_id", String(128), unique=True),
    Column("category", String(5), nullable=False),
    Column("grid", String(15), nullable=False),
    Column("district", String(6), nullable=False),
    Column("street", String(64), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("source", String(16), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("reported_at", Float, nullable=False),
    Column("deadline", Float, nullable=False),
    Column("limit_s", Float, nullable=False),
    Column("version", Integer, nullable=False),
    Column("department", String(32)),
    Column("escalations", Integer, nullable=False),
    Column("community", String(15), nullable=False, server_default=""),
    Column("stage", String(16), nullable=False, server_default=""),
    Column("clock", String(16), nullable=False, server_default="urgent"),
    Column("stage_started", Float, nullable=False, server_default="0"),
    Column("paused_left_s", Float, nullable=False, server_default="-1"),
    Column("late", String(64), nullable=False, server_default=""),
    Column("reporter", String(64), nullable=False, server_default=""),
    Column("inspector", String(64), nullable=False, server_default=""),
    Column("verified", String(16), nullable=False, server_default=""),
    Column("returns", Integer, nullable=False, server_default="0"),
    Column("reworks", Integer, nullable=False, server_default="0"),
    Column("extensions", Integer, nullable=False, server_default="0"),
    Column("requested_deadline", Float, nullable=False, server_default="0"),
    Column("closure", String(16), nullable=False, server_default=""),
    Column("appeal", String(16), nullable=False, server_default=""),
    Column("urged_at", Float, nullable=False, server_default="0"),
    Column("raised", Boolean, nullable=False, server_default="0"),
    Column("merged_into", String(32), nullable=False, server_default=""),
    Column("duplicate_of", String(32), nullable=False, server_default=""),
    Column("merged", Integer, nullable=False, server_default="0"),
    Column("alarm_id", String(32), nullable=False, server_default=""),
    Column("seq", Integer, nullable=False, index=True),
)

# Append-only: rows are inserted, never updated or deleted.
case_events = Table(
    "case_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # cases topic seq of the change
    Column("case_id", String(32), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("department", String(32)),
    Column("command_id", String(64), unique=True),
    Column("role", String(16), nullable=False, server_default=""),
    Column("from_state", String(32), nullable=False, server_default=""),
    Column("to_state", String(32), nullable=False, server_default=""),
    Column("text", Text, nullable=False, server_default=""),
)

alarms = Table(
    "alarms",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("sensor_id", String(32), nullable=False, index=True),  # "" for a vehicle's alarm
    Column("kind", String(32), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("threshold", Float, nullable=False),
    Column("raised_at", Float, nullable=False),
    Column("state", String(16), nullable=False),
    Column("acked", Boolean, nullable=False),
    Column("cleared_at", Float),
    Column("condition", String(16), nullable=False, server_default="high"),
    Column("peak", Float),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("acked_by", String(64), nullable=False, server_default=""),
    Column("acked_at", Float),
    Column("shelved_until", Float, nullable=False, server_default="0"),
    Column("shelved_by", String(64), nullable=False, server_default=""),
    Column("out_of_service", Boolean, nullable=False, server_default="0"),
    Column("suppressed", Boolean, nullable=False, server_default="0"),
    Column("chattering", Boolean, nullable=False, server_default="0"),
    Column("raised", Integer, nullable=False, server_default="1"),
    Column("note", Text, nullable=False, server_default=""),
    Column("case_id", String(32), nullable=False, server_default=""),
    Column("to_lead", Boolean, nullable=False, server_default="0"),
    Column("vehicle_id", String(32), nullable=False, server_default=""),
    Column("seq", Integer, nullable=False, index=True),
)

#: Columns later releases widened: (table, column, length).
WIDENED = (("cases", "status", 32), ("alarms", "condition", 16))

#: The alarms' history: every raise, clear and operator action, with who and why.
alarm_events = Table(
    "alarm_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # alarms topic seq of the change
    Column("alarm_id", String(32), nullable=False, index=True),
    Column("at", Float, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("value", Float),
    Column("reason", Text, nullable=False),
    Column("command_id", String(64), unique=True),
)

sensors = Table(
    "sensors",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(128), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("value", Float),
    Column("ts", Float),
    Column("state", String(16), nullable=False),
    Column("district", String(6), nullable=False, server_default=""),
    Column("grid", String(15), nullable=False, server_default=""),
    Column("seq", Integer, nullable=False),
)

vehicles = Table(
    "vehicles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("plate", String(32), nullable=False),
    Column("lon", Float),
    Column("lat", Float),
    Column("speed", Float, nullable=False),
    Column("heading", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("ts", Float),
    Column("district", String(6), nullable=False, server_default=""),
    Column("task", String(32), nullable=False, server_default=""),
    Column("seq", Integer, nullable=False),
)

#: Every reading, raw, for the city's raw window (a producer's retry is stored once) …
readings = Table(
    "readings",
    metadata,
    Column("sensor_id", String(32), primary_key=True),
    Column("ts", Float, primary_key=True),
    Column("value", Float, nullable=False),
)

#: … then min, max and mean per interval, for the city's retention.
reading_rollups = Table(
    "reading_rollups",
    metadata,
    Column("sensor_id", String(32), primary_key=True),
    Column("start", Float, primary_key=True),  # the interval's start, epoch s
    Column("low", Float, nullable=False),
    Column("high", Float, nullable=False),
    Column("mean", Float, nullable=False),
    Column("count", Integer, nullable=False),
)

#: Each topic's table and record type; a record's fields are its table's columns.
TOPIC_TABLES: dict[str, tuple[Table, type[msgspec.Struct]]] = {
    "cases": (cases, Case),
    "alarms": (alarms, Alarm),
    "sensors": (sensors, Sensor),
    "vehicles": (vehicles, Vehicle),
}


@dataclass
class Loaded:
    """The stored state the hub starts from."""

    streams: dict[str, str]
    records: dict[str, list[msgspec.Struct]]
    report_ids: dict[str, str]  # producer report id → case id
    command_ids: dict[str, str]  # command id → the case or alarm it changed
    meta: dict[str, str]


def default_url() -> str:
    """A SQLite file in the user's data directory."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("supervision-hall"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'hall.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged command survives power loss too
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _record(row: Any, kind: type[msgspec.Struct]) -> Any:
    # Column names come back as SQLAlchemy's str subclass, which msgspec does not take as keys.
    return msgspec.convert({str(k): v for k, v in row._mapping.items()}, kind)


class Store:
    def __init__(self, url: str, schema: str | None = None) -> None:
        options: dict[str, Any] = {}
        if schema:
            options["execution_options"] = {"schema_translate_map": {None: schema}}
        self.engine: Engine = create_engine(url, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)
        self._add_new_columns()
        self._widen_columns()
        self._upgrade_statuses()
        self._insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert

    def close(self) -> None:
        self.engine.dispose()

    def _add_new_columns(self) -> None:
        """A store written by an older release lacks the columns added since: add them, with
        their defaults, so the hall keeps its history across an upgrade."""
        with self.engine.begin() as conn:
            inspector = inspect(conn)
            for table in metadata.sorted_tables:
                present = {column["name"] for column in inspector.get_columns(table.name)}
                for column in table.columns:
                    if column.name in present:
                        continue
                    kind = column.type.compile(dialect=self.engine.dialect)
                    default = column.server_default.arg if column.server_default is not None else None  # type: ignore[attr-defined]
                    clause = f" NOT NULL DEFAULT '{default}'" if default is not None else ""
                    conn.execute(
                        text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{clause}')
                    )

    def _widen_columns(self) -> None:
        """Workflow states and vehicle alarm conditions need wider columns than older releases
        made (SQLite holds a string to no length)."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as conn:
            inspector = inspect(conn)
            for table, name, length in WIDENED:
                column = next(c for c in inspector.get_columns(table) if c["name"] == name)
                if (getattr(column["type"], "length", None) or length) < length:
                    conn.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{name}" TYPE VARCHAR({length})'))

    def _upgrade_statuses(self) -> None:
        """Release 0.2 knew two statuses; ``filed`` is the workflow's 待派遣 now, and both get
        the stage whose clock they were running."""
        with self.engine.begin() as conn:
            conn.execute(cases.update().where(cases.c.status == "filed").values(status="to_dispatch"))
            for status, stage in (("to_dispatch", "dispatch"), ("dispatched", "handle")):
                conn.execute(
                    cases.update().where(cases.c.status == status, cases.c.stage == "").values(stage=stage)
                )

    def load(self) -> Loaded:
        with self.engine.connect() as conn:
            stored_meta = {row.key: row.value for row in conn.execute(select(meta))}
            records = {
                topic: [_record(row, kind) for row in conn.execute(select(table))]
                for topic, (table, kind) in TOPIC_TABLES.items()
            }
            report_ids = {
                row.report_id: row.id
                for row in conn.execute(select(cases.c.id, cases.c.report_id))
                if row.report_id
            }
            command_ids = {  # command id → the case or alarm it changed: a retry is answered, not redone
                row.command_id: row.changed
                for events, changed in ((case_events, "case_id"), (alarm_events, "alarm_id"))
                for row in conn.execute(
                    select(events.c.command_id, events.c[changed].label("changed")).where(
                        events.c.command_id.is_not(None)
                    )
                )
            }
        streams = {topic: stored_meta.get(f"stream:{topic}", "") for topic in TOPIC_TABLES}
        missing = {topic: uuid.uuid4().hex[:12] for topic, stream in streams.items() if not stream}
        if missing:
            self.commit(WriteBatch(meta={f"stream:{topic}": s for topic, s in missing.items()}))
            streams.update(missing)
        return Loaded(streams, records, report_ids, command_ids, stored_meta)

    def commit(self, batch: WriteBatch) -> None:
        with self.engine.begin() as conn:
            for topic, changed in batch.records.items():
                if not changed:
                    continue
                table = TOPIC_TABLES[topic][0]
                rows = [msgspec.structs.asdict(record) for record in changed.values()]
                if topic == "cases":
                    for row in rows:
                        row["report_id"] = batch.report_ids.get(row["id"])
                self._upsert(conn, table, rows, keep=("report_id",) if topic == "cases" else ())
            if batch.events:
                conn.execute(case_events.insert(), batch.events)
            if batch.alarm_events:
                conn.execute(alarm_events.insert(), batch.alarm_events)
            if batch.readings:
                conn.execute(self._insert(readings).on_conflict_do_nothing(), batch.readings)
            if batch.meta:
                self._upsert(conn, meta, [{"key": k, "value": v} for k, v in batch.meta.items()])

    def _upsert(
        self, conn: Any, table: Table, rows: list[dict[str, Any]], keep: tuple[str, ...] = ()
    ) -> None:
        statement = self._insert(table)
        key = table.primary_key.columns.keys()
        updates = {
            name: getattr(statement.excluded, name)
            for name in rows[0]
            if name not in key and name not in keep
        }
        conn.execute(statement.on_conflict_do_update(index_elements=key, set_=updates), rows)

    # -- sensor history --------------------------------------------------------

    def roll_up(self, now: float, raw_s: float, interval_s: float, keep_s: float) -> int:
        """Fold raw readings older than ``raw_s`` into intervals of ``interval_s`` (min, max,
        mean; merged into an interval already there, for readings that came late), drop them, and
        drop intervals older than ``keep_s``; returns how many raw readings were folded."""
        cutoff = (now - raw_s) // interval_s * interval_s  # whole intervals only
        start = (func.floor(readings.c.ts / interval_s) * interval_s).label("start")
        folded = (
            select(
                readings.c.sensor_id,
                start,
                func.min(readings.c.value).label("low"),
                func.max(readings.c.value).label("high"),
                func.avg(readings.c.value).label("mean"),
                func.count().label("count"),
            )
            .where(readings.c.ts < cutoff)
            .group_by(readings.c.sensor_id, start)
        )
        insert = self._insert(reading_rollups).from_select(
            ["sensor_id", "start", "low", "high", "mean", "count"], folded
        )
        have, new = reading_rollups.c, insert.excluded
        smaller = func.least if self.engine.dialect.name == "postgresql" else func.min
        larger = func.greatest if self.engine.dialect.name == "postgresql" else func.max
        merged = insert.on_conflict_do_update(
            index_elements=["sensor_id", "start"],
            set_={
                "low": smaller(have.low, new.low),
                "high": larger(have.high, new.high),
                "mean": (have.mean * have.count + new.mean * new.count) / (have.count + new.count),
                "count": have.count + new.count,
            },
        )
        with self.engine.begin() as conn:
            conn.execute(merged)
            gone = conn.execute(readings.delete().where(readings.c.ts < cutoff)).rowcount
            conn.execute(reading_rollups.delete().where(reading_rollups.c.start < now - keep_s))
        return int(gone)

    def history(
        self, sensor_id: str, since: float, until: float, points: int = 0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A sensor's readings from ``since`` to ``until``, oldest first, as arrays (time, mean,
        low, high): intervals where the raw readings were folded, then the raw readings (low and
        high equal to the value); with ``points``, at most that many, each the lowest, highest and
        mean of an equal stretch of time (a trend of a year fits a screen; a stretch's mean is the
        mean of its readings, or of its intervals' means)."""
        rollups, raws = reading_rollups.c, readings.c
        in_rolled = (rollups.sensor_id == sensor_id, rollups.start >= since, rollups.start <= until)
        in_raw = (raws.sensor_id == sensor_id, raws.ts >= since, raws.ts <= until)
        rolled = select(rollups.start, rollups.mean, rollups.low, rollups.high)
        raw = select(raws.ts, raws.value, raws.value, raws.value)
        with self.engine.connect() as conn:
            many = conn.execute(
                select(func.count()).select_from(reading_rollups).where(*in_rolled)
            ).scalar_one()
            many += conn.execute(select(func.count()).select_from(readings).where(*in_raw)).scalar_one()
            if points and many > points:  # the database folds each stretch: a day's readings stay in it

                def stretch_of(at: Any) -> Any:
                    return func.floor((at - since) * points / (until - since))

                rolled = select(
                    func.min(rollups.start),
                    func.avg(rollups.mean),
                    func.min(rollups.low),
                    func.max(rollups.high),
                ).group_by(stretch_of(rollups.start))
                raw = select(
                    func.min(raws.ts), func.avg(raws.value), func.min(raws.value), func.max(raws.value)
                ).group_by(stretch_of(raws.ts))
            rows = [*conn.execute(rolled.where(*in_rolled)), *conn.execute(raw.where(*in_raw))]
        table = np.array(rows, dtype=np.float64).reshape(-1, 4)
        table = table[np.argsort(table[:, 0], kind="stable")]
        if points and len(table) > points:
            stretch = np.minimum(
                ((table[:, 0] - since) / (until - since) * points).astype(np.int64), points - 1
            )
            starts = np.flatnonzero(np.diff(stretch, prepend=-1))
            counts = np.diff(np.append(starts, len(table)))
            table = np.column_stack(
                (
                    table[starts, 0],
                    np.add.reduceat(table[:, 1], starts) / counts,
                    np.minimum.reduceat(table[:, 2], starts),
                    np.maximum.reduceat(table[:, 3], starts),
                )
            )
        at, mean, low, high = table.T
        return at, mean, low, high

    def alarm_periods(self, sensor_id: str, since: float, until: float) -> list[list[float]]:
        """When the sensor's alarms stood within ``since``-``until``: [from, to] each, from the
        alarms' record (one still standing ends at ``until``)."""
        query = (
            select(alarm_events.c.alarm_id, alarm_events.c.action, alarm_events.c.at)
            .join(alarms, alarms.c.id == alarm_events.c.alarm_id)
            .where(alarms.c.sensor_id == sensor_id, alarm_events.c.action.in_(("raise", "clear")))
            .order_by(alarm_events.c.seq)
        )
        periods, raised = [], {}
        with self.engine.connect() as conn:
            for alarm_id, action, at in conn.execute(query):
                if action == "raise":
                    raised[alarm_id] = at
                elif alarm_id in raised:
                    periods.append([raised.pop(alarm_id), at])
        periods += [[start, until] for start in raised.values()]
        return sorted([max(a, since), min(b, until)] for a, b in periods if a <= until and b >= since)

    def raises(self, since: float, until: float) -> list[tuple[float, str, str]]:
        """Every alarm raised from ``since`` to ``until``, in order: (time, the sensor's or the
        vehicle's id, condition)."""
        source = func.coalesce(func.nullif(alarms.c.vehicle_id, ""), alarms.c.sensor_id)
        query = (
            select(alarm_events.c.at, source, alarms.c.condition)
            .join(alarms, alarms.c.id == alarm_events.c.alarm_id)
            .where(alarm_events.c.action == "raise", alarm_events.c.at >= since, alarm_events.c.at <= until)
            .order_by(alarm_events.c.at)
        )
        with self.engine.connect() as conn:
            return [(float(at), str(sensor), str(condition)) for at, sensor, condition in conn.execute(query)]

    def timeline(self, case_id: str) -> list[TimelineEntry]:
        query = select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
        with self.engine.connect() as conn:
            return [
                msgspec.convert(
                    {str(k): v for k, v in row._mapping.items() if k not in ("case_id", "command_id")},
                    TimelineEntry,
                )
                for row in conn.execute(query)
            ]
