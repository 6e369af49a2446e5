"""Pure core, Qt at the edge: the import rules of pyproject.toml's [tool.importlinter] hold.

The contracts (no Qt in feeds or in the console's state mirror, feeds below the console, hub and
simulator apart, views away from the hub) are import-linter's; running it here means that `pytest`
alone catches a broken rule, not only `make lint`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    run = subprocess.run(
        [str(lint_imports), "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, f"lint-imports failed:\n{run.stdout}\n{run.stderr}"


def test_the_hub_and_the_simulator_start_without_loading_qt() -> None:
    """A hub on a server has no display and needs none: its command path never imports Qt."""
    probe = (
        "import sys\n"
        "from console.cli import build_parser\n"
        "build_parser()\n"
        "from feeds.hub import run_hub\n"
        "from feeds.sim import run_simulator\n"
        "from feeds.city import demo\n"
        "demo()\n"
        "qt = {'PySide6', 'shiboken6', 'pyqtgraph', 'qasync'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in qt))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
