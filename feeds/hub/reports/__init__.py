"""Evaluation reports as files (月评比, 周排名): a workbook and a PDF of a month's or a week's
figures, rankings and grades, from the hall's record.

A report of a closed period never changes when it is made again: only the events before the
period's end are read (:func:`model.read_cases`), the figures are taken as of that end, and both
files are dated by it.  The files are written into a fresh folder inside the output folder and
moved into place only once both are complete, so a failure leaves nothing behind.

People are named, and inspectors' patrol areas (for their missed reports, 漏报) taken, from the
accounts as they are when the report is made: the record keeps no history of them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feeds.city.clock import zone
from feeds.city.model import City
from feeds.domain import Role
from feeds.hub.accounts import Accounts
from feeds.hub.reports.model import KINDS, Report, ReportError, build_report, parse_period, read_cases
from feeds.hub.reports.pdf import MissingFont, find_font, write_pdf
from feeds.hub.reports.xlsx import write_xlsx
from feeds.hub.rules.kpis import Period
from feeds.hub.store import Store

__all__ = ["KINDS", "MissingFont", "Report", "ReportError", "build_report", "make_report", "read_report"]


def make_report(city: City, db_url: str, kind: str, period_text: str, out: Path, now: float) -> list[Path]:
    """Write the ``kind`` (monthly, weekly) report of the month or week ``period_text`` from the
    store at ``db_url`` into the folder ``out``, as of ``now`` or the period's end if earlier;
    the paths written.

    :class:`ReportError`: a period badly written or not started, a folder that cannot be
    written; :class:`MissingFont`: no Chinese font for the PDF."""
    period = parse_period(kind, period_text, zone(city.calendar.timezone), now)
    font = find_font()
    with _staged(out) as work:
        report = read_report(city, db_url, kind, period, min(now, period.end))
        names = (f"{report.stem}.xlsx", f"{report.stem}.pdf")
        write_xlsx(report, work / names[0])
        write_pdf(report, work / names[1], font)
        for name in names:
            os.replace(work / name, out / name)
    return [out / name for name in names]


def read_report(city: City, db_url: str, kind: str, period: Period, as_of: float) -> Report:
    """The report of ``period`` as of ``as_of`` from the store at ``db_url``: the cases, and the
    people's names and the inspectors' patrol areas from the accounts."""
    store = Store(db_url)
    try:
        cases = read_cases(store.engine, period.previous(zone(city.calendar.timezone)).start, as_of)
        users = Accounts(store.engine).list()
    finally:
        store.close()
    people = {user.login: user.name for user in users}
    patrols = {u.login: u.scope for u in users if Role.INSPECTOR in u.roles and not u.disabled}
    return build_report(city, kind, period, as_of, cases, people, patrols)


@contextmanager
def _staged(out: Path) -> Iterator[Path]:
    """A fresh folder inside ``out`` (made if missing) to write into, removed afterwards; on a
    failure, ``out`` too if it was made for this."""
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".report-", dir=out))
    except OSError as error:
        raise ReportError(f"cannot write into {out}: {error.strerror or error}") from None
    try:
        yield work
    except BaseException:
        if made:
            shutil.rmtree(out, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
