"""A seat's cache of the cities hubs served, by content hash: a console fetches a city
only when the hub names one it has not seen (a new or edited city folder)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

MAX_CITIES = 8  # keep the newest few: a seat may visit a test hub and come back


class CityCache:
    def __init__(self, folder: Path | None = None) -> None:
        if folder is None:
            from platformdirs import user_cache_dir

            folder = Path(user_cache_dir("supervision-hall")) / "cities"
        self.folder = folder

    def _path(self, content_hash: str) -> Path:
        return self.folder / f"{content_hash}.json"

    def get(self, content_hash: str) -> bytes | None:
        """The bundle with this hash, if cached and intact."""
        try:
            data = self._path(content_hash).read_bytes()
        except (OSError, ValueError):
            return None
        return data if hashlib.sha256(data).hexdigest() == content_hash else None

    def put(self, content_hash: str, data: bytes) -> bool:
        """Keep a bundle whose content matches its hash; False (and nothing kept) otherwise."""
        if hashlib.sha256(data).hexdigest() != content_hash:
            return False
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = self._path(content_hash).with_suffix(f".{os.getpid()}.part")
        staging.write_bytes(data)
        staging.replace(self._path(content_hash))  # readers see the whole file or none
        for old in sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-MAX_CITIES]:
            old.unlink(missing_ok=True)
        return True
