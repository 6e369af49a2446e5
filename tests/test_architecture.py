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
