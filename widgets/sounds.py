"""The alarm sounds (QtMultimedia): one tone a priority, made once as WAV files in the user's
cache — critical fast and high, low a single soft note — so that an operator knows the priority
before looking."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir
from PySide6.QtCore import QObject, QUrl
from PySide6.QtMultimedia import QSoundEffect

RATE = 22_050
#: priority → (tone in Hz, beeps, beep seconds)
TONES = {1: (1_320.0, 4, 0.12), 2: (880.0, 2, 0.16), 3: (660.0, 1, 0.2), 4: (440.0, 1, 0.12)}


def tone_file(folder: Path, priority: int) -> Path:
    """The WAV of a priority's sound (written once)."""
    path = folder / f"alarm-{priority}.wav"
    if path.exists():
        return path
    hertz, beeps, seconds = TONES[priority]
    t = np.arange(int(RATE * seconds)) / RATE
    beep = np.sin(2 * np.pi * hertz * t) * np.minimum(1.0, np.minimum(t, seconds - t) * 80)  # no clicks
    gap = np.zeros(int(RATE * seconds * 0.6))
    samples = np.concatenate([np.concatenate([beep, gap]) for _ in range(beeps)])
    folder.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((samples * 0.6 * 32767).astype("<i2").tobytes())
    return path


class QtAlarmSounds(QObject):
    """Plays the priorities' sounds; ``played`` keeps what was started, newest last."""

    def __init__(self, parent: QObject | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        folder = folder or Path(user_cache_dir("supervision-hall")) / "sounds"
        self.effects: dict[int, QSoundEffect] = {}
        for priority in TONES:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(tone_file(folder, priority))))
            self.effects[priority] = effect
        self.played: list[int] = []

    def play(self, priorities: list[int]) -> None:
        for priority in priorities:
            self.played.append(priority)
            self.effects[priority].play()
