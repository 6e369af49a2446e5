"""Language of the console: Qt translators for UI text, and the Chinese or
English names of domain codes (categories, departments, …).

UI strings are written in English in the code and go through Qt's
translation system (``self.tr`` / ``QCoreApplication.translate``); the hall's
default language is Simplified Chinese, loaded from ``resources/i18n``.
Domain names come from ``feeds.domain``, which carries both languages.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from feeds import domain

LANGUAGES = ("zh_CN", "en")
I18N_DIR = Path(__file__).resolve().parent.parent / "resources" / "i18n"

_language = "zh_CN"
_translators: list[QTranslator] = []


def language() -> str:
    return _language


def chinese() -> bool:
    return _language == "zh_CN"


def install(app: QCoreApplication, lang: str = "zh_CN") -> None:
    """Switch the UI language; call before building windows."""
    global _language
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    for old in _translators:
        app.removeTranslator(old)
    _translators.clear()
    _language = lang
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    qm = I18N_DIR / f"hall_{lang}.qm"
    if not translator.load(str(qm)):
        raise FileNotFoundError(f"translation {qm} is missing; run `make translations`")
    app.installTranslator(translator)
    _translators.append(translator)


def _pick(zh: str, en: str) -> str:
    return zh if chinese() else en


def category_name(code: str) -> str:
    category = domain.CATEGORIES.get(code)
    return _pick(category.zh, category.en) if category else code


def department_name(code: str | None) -> str:
    if code is None:
        return ""
    department = domain.DEPARTMENTS.get(code)
    return _pick(department.zh, department.en) if department else code


def source_name(code: str) -> str:
    names = domain.SOURCES.get(code)
    return _pick(*names) if names else code


def status_name(status: str) -> str:
    names = {
        domain.CaseStatus.FILED: ("待派遣", "To dispatch"),
        domain.CaseStatus.DISPATCHED: ("处置中", "Dispatched"),
    }.get(status)  # type: ignore[call-overload]
    return _pick(*names) if names else status


def priority_name(priority: int) -> str:
    return _pick(
        domain.PRIORITY_ZH.get(priority, str(priority)), domain.PRIORITY_EN.get(priority, str(priority))
    )


def sensor_kind_name(code: str) -> str:
    kind = domain.SENSOR_KINDS.get(code)
    return _pick(kind.zh, kind.en) if kind else code


def vehicle_kind_name(code: str) -> str:
    kind = domain.VEHICLE_KINDS.get(code)
    return _pick(kind.zh, kind.en) if kind else code


def vehicle_status_name(code: str) -> str:
    names = domain.VEHICLE_STATUSES.get(code)
    return _pick(*names) if names else code


def district_name(code: str) -> str:
    from feeds.city import demo_city

    for district in demo_city().districts:
        if district.code == code:
            return _pick(district.zh, district.en)
    return code
