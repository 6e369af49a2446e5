"""A plain `pip install .` gives a working hall: the theme, the translations, the layouts and
the demo city come with the package, not from a checkout beside it."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from feeds.wire.codec import PROTOCOL_VERSION

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
import console, feeds
from console import i18n
from console.app import load_theme
from feeds.city import demo
from layouts import available, load

app = QApplication([])
i18n.install(app, "zh_CN")
load_theme(app)
assert "#0b1220" in app.styleSheet(), "the theme, with the palette's colours"
assert QCoreApplication.translate("QtCityMap", "Show all") == "全部显示", "the Chinese translation"
assert available() == ["desk", "wall"] and load("wall").screens
assert len(demo().city.grids) == 4800
print(console.__file__)
print(feeds.__file__)
"""


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    """This environment's pip, offline."""
    command = [sys.executable, "-m", "pip", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the project installed from a wheel (not editable).

    Its third-party packages come from this environment (a path file), so the test needs no
    network; the project's own code is only what the wheel holds."""
    folder = tmp_path_factory.mktemp("install")
    wheels = folder / "wheels"
    build = pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT))
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("supervision_hall-*.whl")
    target = folder / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    (site / "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    install = pip("--python", str(python), "install", "--no-deps", "--no-index", str(wheel))
    assert install.returncode == 0, install.stderr
    return target


def run(venv_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        list(args), cwd=venv_dir, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def test_the_installed_package_carries_its_theme_translations_layouts_and_demo_city(installed: Path) -> None:
    probe = run(installed, str(installed / "bin" / "python"), "-c", PROBE)
    assert probe.returncode == 0, probe.stderr
    assert all(str(installed) in line for line in probe.stdout.split()), (
        "imported from the install, not the checkout"
    )


def test_the_installed_hall_knows_its_version_and_runs_the_demo(installed: Path, tmp_path: Path) -> None:
    hall = str(installed / "bin" / "hall")
    version = run(installed, hall, "--version")
    assert version.returncode == 0 and version.stdout.startswith("hall 0.")
    assert f"protocol {PROTOCOL_VERSION}" in version.stdout
    shots = tmp_path / "shots"
    demo = run(installed, hall, "demo", "--seconds", "6", "--screenshot", str(shots), timeout=180)
    assert demo.returncode == 0, demo.stderr
    (picture,) = shots.glob("desk-*.png")
    assert picture.stat().st_size > 50_000
