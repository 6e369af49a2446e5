"""Pure core, Qt at the edge: the data layer and the console's mirror never import Qt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "qasync")
PURE = sorted(
    [*(ROOT / "feeds").rglob("*.py"), ROOT / "console" / "state.py", ROOT / "layouts" / "__init__.py"]
)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_import_no_qt(path: Path) -> None:
    qt = {name for name in imported_modules(path) if name.split(".")[0] in QT}
    assert not qt, f"{path.relative_to(ROOT)} imports {sorted(qt)}"
