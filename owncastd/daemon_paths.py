"""Where one daemon keeps its files: the data directory, the database, logs, HLS output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from owncastd.config.settings import Settings


@dataclass(frozen=True)
class DaemonPaths:
    """Where one daemon keeps its files (all absolute)."""

    data_dir: Path
    database: Path
    log_dir: Path

    @property
    def hls_dir(self) -> Path:
        """HLS output (`data/hls`)."""
        return self.data_dir / "hls"

    @property
    def tmp_dir(self) -> Path:
        """Thumbnails and other short-lived files (`data/tmp`, recreated at start)."""
        return self.data_dir / "tmp"

    @property
    def public_dir(self) -> Path:
        """Files served at `/public/`."""
        return self.data_dir / "public"

    @classmethod
    def from_settings(cls, settings: Settings) -> DaemonPaths:
        """Resolve the paths from the (already absolute) path settings."""
        data = Path(settings.paths.data_dir)
        return cls(
            data_dir=data,
            database=Path(settings.paths.database or data / "owncast.db"),
            log_dir=Path(settings.paths.log_dir or data / "logs"),
        )
