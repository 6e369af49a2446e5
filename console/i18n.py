"""The console's language: Qt translators for UI text.

UI strings are written in English in the code and go through Qt's
translation system (``self.tr`` / ``QCoreApplication.translate``); the hall's
default language is Simplified Chinese, loaded from the translations shipped
in ``resources/i18n``.  Names of the hall's codes follow the same language
(:mod:`console.names`).
"""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from console import names

_translators: list[QTranslator] = []
_catalogues: list[bytes] = []  # Qt reads a loaded catalogue in place: it must outlive its translator


def install(app: QCoreApplication, lang: str = "zh_CN") -> None:
    """Switch the UI language; call before building windows."""
    names.use_language(lang)
    for old in _translators:
        app.removeTranslator(old)
    _translators.clear()
    _catalogues.clear()
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    qm = resources.files("resources") / "i18n" / f"hall_{lang}.qm"
    catalogue = qm.read_bytes() if qm.is_file() else b""
    if not catalogue or not translator.load(catalogue):
        raise FileNotFoundError(f"translation {qm} is missing; run `make translations`")
    _catalogues.append(catalogue)
    app.installTranslator(translator)
    _translators.append(translator)
