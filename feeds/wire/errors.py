"""Stable error codes of the wire protocol, and the exception that carries one."""

from __future__ import annotations

from typing import Any


class ErrorCode:
    """Stable error codes; clients branch on these, never on the message text."""

    BAD_JSON = "bad_json"
    UNKNOWN_TYPE = "unknown_type"
    INVALID = "invalid"  # wrong field types, missing or out-of-range fields
    UNSUPPORTED_VERSION = "unsupported_version"
    HELLO_REQUIRED = "hello_required"
    READ_ONLY = "read_only"  # a wall connection sent a command
    FORBIDDEN = "forbidden"  # a message or action the signed-in user's roles do not allow
    BAD_CREDENTIALS = "bad_credentials"  # unknown login or wrong password (which one is not told)
    LOCKED = "locked"  # too many failed sign-ins: the account waits a while
    BAD_TOKEN = "bad_token"  # a session token the hub never issued, or signed out, or expired
    DISABLED = "disabled"  # the account was disabled by an administrator
    UNKNOWN_USER = "unknown_user"
    NOT_ALLOWED_IN_STATE = "not_allowed_in_state"  # the action exists, not in the case's state
    REASON_REQUIRED = "reason_required"  # the workflow table requires a reason for this action
    UNKNOWN_CASE = "unknown_case"
    UNKNOWN_ALARM = "unknown_alarm"
    UNKNOWN_SENSOR = "unknown_sensor"
    UNKNOWN_VEHICLE = "unknown_vehicle"
    UNKNOWN_CATEGORY = "unknown_category"
    UNKNOWN_DEPARTMENT = "unknown_department"
    OUTSIDE_CITY = "outside_city"  # a report at a point no district of the city holds
    CONFLICT = "conflict"  # stale expected_version; carries the current case (or alarm)
    INVALID_TRANSITION = "invalid_transition"
    TOO_MANY_PENDING = "too_many_pending"
    STORAGE = "storage_error"


class ProtocolError(Exception):
    """A message that cannot be accepted; ``code`` is one of :class:`ErrorCode`.

    ``ref`` is the id of the frame it answers, ``current`` the record as it
    stands now (for a conflict), ``reason`` a finer stable name for counting
    refused items (``invalid_lon``, ``outside_city`` …; the code by default)."""

    def __init__(
        self, code: str, message: str, ref: str | None = None, current: Any = None, reason: str = ""
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref
        self.current = current
        self.reason = reason or code
