"""Shared test set-up: Qt runs headless, in Chinese unless a test says otherwise."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
