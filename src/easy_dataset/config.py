"""Settings: where data lives and the limits we enforce, from arguments, environment or defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from easy_dataset.errors import ConfigError

DEFAULT_MAX_FILE_MB = 200.0


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build them with `Settings.load`."""

    home: Path
    database_url: str
    max_file_bytes: int

    @classmethod
    def load(
        cls,
        *,
        home: Path | str | None = None,
        database_url: str | None = None,
        max_file_mb: float | None = None,
    ) -> Settings:
        """Arguments win over `EASY_DATASET_*` environment variables, which win over defaults."""
        resolved_home = Path(
            home or os.environ.get("EASY_DATASET_HOME") or user_data_path("easy-dataset")
        ).expanduser()
        url = (
            database_url
            or os.environ.get("EASY_DATASET_DATABASE_URL")
            or f"sqlite:///{(resolved_home / 'easy-dataset.db').resolve()}"
        )
        if max_file_mb is None:
            raw = os.environ.get("EASY_DATASET_MAX_FILE_MB")
            try:
                max_file_mb = float(raw) if raw else DEFAULT_MAX_FILE_MB
            except ValueError:
                raise ConfigError(
                    f"EASY_DATASET_MAX_FILE_MB must be a number of megabytes, not {raw!r}"
                ) from None
        if max_file_mb <= 0:
            raise ConfigError(f"the file size limit must be positive, not {max_file_mb} MB")
        return cls(
            home=resolved_home.resolve(),
            database_url=url,
            max_file_bytes=int(max_file_mb * 1024 * 1024),
        )
