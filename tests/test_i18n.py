"""Chinese first, English too: every UI string is translated and the translation is current."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from console import i18n, names
from console.app import HallWindow
from console.state import HallSummary
from feeds.city import demo
from layouts import load
from widgets.hall_header import QtHallHeader

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "i18n" / "hall_zh_CN.ts"
LUPDATE = Path(sys.executable).parent / "pyside6-lupdate"


def sources(ts: Path) -> set[tuple[str, str]]:
    root = ET.parse(ts).getroot()
    return {(c.findtext("name"), m.findtext("source")) for c in root for m in c.findall("message")}  # type: ignore[misc]


def test_every_string_has_a_finished_translation() -> None:
    root = ET.parse(TS).getroot()
    unfinished = [
        m.findtext("source")
        for c in root
        for m in c.findall("message")
        if m.find("translation").get("type") in ("unfinished", "vanished", "obsolete")  # type: ignore[union-attr]
    ]
    assert unfinished == []


def test_the_translation_file_knows_every_string_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    files = sorted(str(p) for folder in ("console", "widgets") for p in (ROOT / folder).glob("*.py"))
    subprocess.run([str(LUPDATE), *files, "-ts", str(fresh)], check=True, capture_output=True)
    assert sources(fresh) == sources(TS), "run `make translations` and translate the new strings"


@pytest.fixture
def language(qapp):  # type: ignore[no-untyped-def]
    """Switch languages inside a test (names from the demo city); afterwards the rest of the
    suite finds the state it had."""
    saved_language, saved_city = names._language, names._city
    saved_translators, saved_catalogues = list(i18n._translators), list(i18n._catalogues)
    names.use_city(demo().city)
    yield lambda lang: i18n.install(qapp, lang)
    for translator in i18n._translators:
        qapp.removeTranslator(translator)
    i18n._translators[:] = saved_translators
    i18n._catalogues[:] = saved_catalogues
    names.use_language(saved_language)
    names.use_city(saved_city)


@pytest.mark.parametrize(
    ("lang", "title", "overdue", "category"),
    [
        ("zh_CN", "数字化城市管理监督指挥中心", "全市超期 3", "暴露垃圾"),
        ("en", "Urban Management Supervision Hall", "Overdue city-wide 3", "Exposed garbage"),
    ],
)
def test_the_hall_speaks_chinese_by_default_and_english_on_request(  # type: ignore[no-untyped-def]
    qtbot, language, lang: str, title: str, overdue: str, category: str
) -> None:
    language(lang)
    header = QtHallHeader("x")
    window = HallWindow(load("desk").screens[0], QtHallHeader("y"))
    qtbot.addWidget(header)
    qtbot.addWidget(window)
    header.show_summary(HallSummary(overdue=3), 0.0)
    assert window.windowTitle().startswith(title)
    assert header.overdue.text() == overdue
    assert names.category_name("06010") == category
