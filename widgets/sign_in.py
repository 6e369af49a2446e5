"""The sign-in dialog: login name and password.  It remembers the login name of the last
sign-in on this machine (QSettings), never the password."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

SETTINGS_KEY = "sign-in/login"


class QtSignIn(QDialog):
    def __init__(
        self, hub_url: str, login: str = "", problem: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to the hall"))
        self.settings = QSettings("supervision-hall", "console")
        remembered = str(self.settings.value(SETTINGS_KEY, "") or "")
        self.login_edit = QLineEdit(login or remembered)
        self.password_edit = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.problem = QLabel(problem, objectName="banner")
        self.problem.setWordWrap(True)
        self.problem.setVisible(bool(problem))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Sign in"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("Hub")), QLabel(hub_url))
        form.addRow(QLabel(self.tr("Login")), self.login_edit)
        form.addRow(QLabel(self.tr("Password")), self.password_edit)
        form.addRow(self.problem)
        form.addRow(buttons)
        (self.password_edit if self.login_edit.text() else self.login_edit).setFocus()

    def accept(self) -> None:
        if not self.login_edit.text().strip() or not self.password_edit.text():
            return
        self.settings.setValue(SETTINGS_KEY, self.login_edit.text().strip())
        super().accept()

    def credentials(self) -> tuple[str, str]:
        return self.login_edit.text().strip(), self.password_edit.text()
