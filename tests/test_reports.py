"""`hall report monthly|weekly`: the evaluation as a workbook and a PDF.

The store holds the hand-made month of ``test_kpis`` (March 2026 and a few cases either side),
its people in the accounts; the files the command writes are read back — the workbook with
openpyxl, the PDF's text with pypdf — and must say what the KPI engine says, computed here
from the whole record.  A closed month made again after April's changes gives the same files;
bad input is refused with exit code 2 and leaves nothing behind.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from citykit import tiny_city, write
from pypdf import PdfReader
from test_kpis import DW, GE, MONTH, SE, WU, ZH, L, Q, S, Z, moment, play

from benchmarks.kpis import Story
from benchmarks.reports import PASSWORD, measure_reports, store_stories
from benchmarks.run import AIMS
from console.cli import main
from feeds.city import load_city
from feeds.city.kpis import Scheme
from feeds.city.model import City
from feeds.hub.accounts import Accounts
from feeds.hub.rules.kpis import Figures, KpiEngine
from feeds.hub.store import Store

APRIL = moment("04-01T00:00")
PEOPLE = [  # the hall's people, as the accounts hold them
    (ZH, "周敏", ["inspector"], "", DW),
    (WU, "吴刚", ["inspector"], "", SE),
    (Z, "赵磊", ["lead"], "", ""),
    (Q, "钱芳", ["lead"], "", ""),
    (S, "孙伟", ["dispatcher"], "", ""),
    (L, "李娜", ["dispatcher"], "", ""),
]
PATROLS = {login: scope for login, _, roles, _, scope in PEOPLE if roles == ["inspector"]}
NAMES = {login: name for login, name, *_ in PEOPLE}


@pytest.fixture(scope="module")
def city_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("city") / "tiny", tiny_city())


@pytest.fixture(scope="module")
def city(city_folder: Path) -> City:
    return load_city(city_folder)


@pytest.fixture(scope="module")
def stories(city: City) -> list[Story]:
    return [play(city, row) for row in MONTH]


@pytest.fixture
def march_store(db_url: str, stories: list[Story]) -> str:
    """The store as it stood when March ended: nothing of April yet."""
    store_stories(db_url, stories, until=APRIL)
    store = Store(db_url)
    try:
        Accounts(store.engine).add_crew(PEOPLE, PASSWORD)
    finally:
        store.close()
    return db_url


@pytest.fixture
def sqlite_store(sqlite_url: str, stories: list[Story]) -> str:
    store_stories(sqlite_url, stories, until=APRIL)
    return sqlite_url


def report(url: str, city_folder: Path, out: Path, kind: str = "monthly", period: str = "2026-03") -> int:
    option = "--month" if kind == "monthly" else "--week"
    return main(["report", kind, option, period, "--out", str(out), "--db", url, "--city", str(city_folder)])


def engine_of(city: City, stories: list[Story]) -> KpiEngine:
    """The KPI engine over the whole record, April included: as of March's end it must agree."""
    engine = KpiEngine(city, PATROLS)
    engine.load((story.case(), story.events) for story in stories)
    return engine


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A sheet's table as rows keyed by its headings (the row that starts with 排名 or 指标)."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    first = next(n for n, row in enumerate(rows) if row[0] in ("排名", "指标"))
    return [dict(zip(rows[first], row, strict=True)) for row in rows[first + 1 :] if row[0] is not None]


def ranks(engine: KpiEngine, figures: Figures, scheme: Scheme) -> dict[str, int]:
    """Rank by score, equal scores sharing one (1, 2, 2, 4)."""
    totals = {s.key: s.total for s in engine.ranking(figures, scheme) if s.total is not None}
    return {key: 1 + sum(other > total for other in totals.values()) for key, total in totals.items()}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


# ---------------------------------------------------------------------------
# The files say what the engine says


def test_the_monthly_report_holds_the_engine_figures(
    march_store: str, city_folder: Path, city: City, stories: list[Story], tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    assert report(march_store, city_folder, out) == 0
    assert sorted(p.name for p in out.iterdir()) == ["monthly-2026-03.pdf", "monthly-2026-03.xlsx"]
    workbook, pdf = out / "monthly-2026-03.xlsx", out / "monthly-2026-03.pdf"

    engine = engine_of(city, stories)
    march, february = engine.figures(engine.period("2026-03")), engine.figures(engine.period("2026-02"))
    text = pdf_text(pdf)
    assert "测试市数字化城市管理月评比 2026年3月" in text
    for scheme in city.kpis.schemes.values():
        figures = march[scheme.object]
        expected = engine.ranking(figures, scheme)
        rows = sheet_rows(workbook, scheme.name)
        assert [row["代码"] for row in rows] == [score.key for score in expected]
        assert [row["综合得分"] for row in rows] == pytest.approx([score.total for score in expected])
        assert [row["等级"] or "" for row in rows] == [score.grade for score in expected]
        now, before = ranks(engine, figures, scheme), ranks(engine, february[scheme.object], scheme)
        for row in rows:
            key = row["代码"]
            assert row["排名"] == now.get(key)
            assert row["上期排名"] == before.get(key)
            moved = before[key] - now[key] if key in now and key in before else None  # up: positive
            assert row["名次变化"] == moved
            for code in figures.numerators:
                if code in city.kpis.rates:
                    heading = city.kpis.rates[code].name
                    assert row[heading] == pytest.approx(figures.figure(key, code).value), (key, code)
            if row["综合得分"] is not None:  # the PDF ranks them too: name, score, grade
                assert row["名称"] in text
                assert f"{row['综合得分']:.2f}" in text
    # people by their names, places and departments by theirs: the PDF shows Chinese
    for name in (*NAMES.values(), "上城区", "下城区", "下城街道办事处", "综合得分", "按期处置率"):
        assert name in text, name
    assert sheet_rows(workbook, "监督员")[0]["名称"] in NAMES.values()


def test_the_overview_and_the_method(
    march_store: str, city_folder: Path, city: City, stories: list[Story], tmp_path: Path
) -> None:
    assert report(march_store, city_folder, tmp_path) == 0
    workbook = tmp_path / "monthly-2026-03.xlsx"
    engine = engine_of(city, stories)
    march = engine.figures(engine.period("2026-03"))["city"]
    for row in sheet_rows(workbook, "总览"):
        figure = march.figure(city.code, row["代码"])
        assert (row["分子"], row["分母"]) == pytest.approx((figure.numerator, figure.denominator))
    method = sheet_rows(workbook, "评价方法")
    assert {row["代码"] for row in method} >= set(city.kpis.rates)
    assert all(row["计算方法"] for row in method if row["代码"] in city.kpis.rates)
    rows = openpyxl.load_workbook(workbook)["评价方法"].iter_rows(values_only=True)
    cells = {cell for row in rows for cell in row}
    for scheme in city.kpis.schemes.values():
        assert scheme.name in cells
    assert {part.weight for scheme in city.kpis.schemes.values() for part in scheme.parts} <= cells
    with zipfile.ZipFile(workbook) as files:  # a native chart per peer group with a ranking
        charts = [name for name in files.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) == len(city.kpis.schemes)
    created = openpyxl.load_workbook(workbook).properties.created
    assert created == datetime.fromtimestamp(APRIL, UTC).replace(tzinfo=None)
    text = pdf_text(tmp_path / "monthly-2026-03.pdf")
    assert "评价方法" in text and all(rate.name in text for rate in city.kpis.rates.values())
    fonts = [
        font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for page in PdfReader(tmp_path / "monthly-2026-03.pdf").pages
        for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts and all("/FontFile2" in descriptor for descriptor in fonts)  # embedded TrueType


def test_a_closed_month_made_again_after_april_is_the_same(
    march_store: str, city_folder: Path, city: City, stories: list[Story], tmp_path: Path
) -> None:
    assert report(march_store, city_folder, tmp_path / "first") == 0
    # April: B3's appeal granted, B4 and G4 fed back, F3 F5 F6 go on, F4 reported; one more case
    store_stories(march_store, stories, since=APRIL)
    late = Story(city.workflow, "X1", moment("04-02T09:00"), GE, "inspector", ZH).step(
        moment("04-02T09:10"), "file", Z
    )
    store_stories(march_store, [late], first=len(stories))
    assert report(march_store, city_folder, tmp_path / "again") == 0
    for name in ("monthly-2026-03.xlsx", "monthly-2026-03.pdf"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    first, again = tmp_path / "first" / "monthly-2026-03.xlsx", tmp_path / "again" / "monthly-2026-03.xlsx"
    for sheet in openpyxl.load_workbook(first).sheetnames:
        assert sheet_rows(first, sheet) == sheet_rows(again, sheet)
    # while April itself, not over, is as of now
    assert report(march_store, city_folder, tmp_path / "april", "monthly", "2026-04") == 0
    assert "本期未结束" not in pdf_text(tmp_path / "first" / "monthly-2026-03.pdf")


def test_the_weekly_report(
    sqlite_store: str, city_folder: Path, city: City, stories: list[Story], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert report(sqlite_store, city_folder, out, "weekly", "2026-W12") == 0
    assert sorted(p.name for p in out.iterdir()) == ["weekly-2026-W12.pdf", "weekly-2026-W12.xlsx"]
    engine = engine_of(city, stories)
    week = engine.period("2026-W12")
    assert (week.start, week.end) == (moment("03-16T00:00"), moment("03-23T00:00"))
    scheme = city.kpis.schemes["district"]
    expected = engine.ranking(engine.figures(week)["district"], scheme)
    rows = sheet_rows(out / "weekly-2026-W12.xlsx", scheme.name)
    assert [(row["代码"], row["综合得分"]) for row in rows] == [
        (score.key, pytest.approx(score.total)) for score in expected
    ]
    assert "周排名 2026年第12周" in pdf_text(out / "weekly-2026-W12.pdf")


def test_a_month_without_cases(sqlite_store: str, city_folder: Path, city: City, tmp_path: Path) -> None:
    assert report(sqlite_store, city_folder, tmp_path / "out", "monthly", "2026-01") == 0
    for scheme in city.kpis.schemes.values():
        assert sheet_rows(tmp_path / "out" / "monthly-2026-01.xlsx", scheme.name) == []
    assert "本期无可评分对象" in pdf_text(tmp_path / "out" / "monthly-2026-01.pdf")


# ---------------------------------------------------------------------------
# Bad input: refused, exit code 2, nothing left behind


@pytest.mark.parametrize(
    ("kind", "period", "says"),
    [
        ("monthly", "2099-01", "2099-01 has not started yet (it starts 2099-01-01 00:00)"),
        ("monthly", "2026-13", "2026-13: a month is 01 to 12"),
        ("monthly", "2026-3", "'2026-3' is not a month YYYY-MM"),
        ("monthly", "2026-W10", "'2026-W10' is not a month YYYY-MM"),
        ("weekly", "2026-W60", "2026-W60: 2026 has the weeks 2026-W01 to 2026-W53"),
        ("weekly", "2027-W53", "2027-W53: 2027 has the weeks 2027-W01 to 2027-W52"),
        ("weekly", "2026-13", "'2026-13' is not an ISO week YYYY-Www"),
        ("weekly", "2099-W01", "2099-W01 has not started yet"),
    ],
)
def test_a_bad_period_is_refused(
    sqlite_store: str,
    city_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    period: str,
    says: str,
) -> None:
    out = tmp_path / "out"
    assert report(sqlite_store, city_folder, out, kind, period) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_a_folder_that_cannot_be_written_is_refused(
    sqlite_store: str, city_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    (tmp_path / "taken").write_text("not a folder")
    out = tmp_path / "taken" if where == "a file" else tmp_path / "taken" / "reports"
    assert report(sqlite_store, city_folder, out) == 2
    assert f"cannot write into {out}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hall.db", "taken"]
    assert (tmp_path / "taken").read_text() == "not a folder"


def test_a_failed_write_leaves_nothing_behind(
    sqlite_store: str,
    city_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("feeds.hub.reports.write_pdf", disk_full)
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    assert report(sqlite_store, city_folder, kept) == 1
    assert report(sqlite_store, city_folder, tmp_path / "new") == 1
    assert "No space left on device; nothing written" in capsys.readouterr().err
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]  # no workbook without its PDF
    assert not (tmp_path / "new").exists()


# ---------------------------------------------------------------------------
# The benchmark


def test_the_benchmark_runs_small() -> None:
    figures = measure_reports(cases=150)
    assert figures["reports_cases"] > 100
    assert figures["reports_objects_ranked"] > 10
    assert 0 < figures["reports_monthly_s"] < 60
    assert figures["reports_pdf_kb"] > 0 and figures["reports_xlsx_kb"] > 0
    assert AIMS["reports_monthly_s"] == ("s", 15, False)
