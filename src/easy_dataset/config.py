"""Settings: where data lives and the limits we enforce, from arguments, environment or defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from easy_dataset.errors import ConfigError

DEFAULT_MAX_FILE_MB = 200.0
DATABASE_FILE = "easy-dataset.db"  # the SQLite database in the data home, by default
DEFAULT_MAX_BODY_MB = 8.0  # a JSON request body; uploads have their own limits
# All files of one upload request together; never less than one file's limit.
DEFAULT_MAX_UPLOAD_MB = 256.0


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build them with `Settings.load`."""

    home: Path
    database_url: str
    max_file_bytes: int
    # Largest JSON (non-multipart) request body the server reads.
    max_body_bytes: int = int(DEFAULT_MAX_BODY_MB * 1024 * 1024)
    # Largest multipart upload request (every file in it together).
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    # Host names (beyond loopback and the bound address) the server answers to.
    allowed_hosts: tuple[str, ...] = ()

    @classmethod
    def load(
        cls,
        *,
        home: Path | str | None = None,
        database_url: str | None = None,
        max_file_mb: float | None = None,
        max_body_mb: float | None = None,
        max_upload_mb: float | None = None,
        allowed_hosts: tuple[str, ...] | list[str] | None = None,
    ) -> Settings:
        """Arguments win over `EASY_DATASET_*` environment variables, which win over defaults."""
        resolved_home = Path(
            home or os.environ.get("EASY_DATASET_HOME") or user_data_path("easy-dataset")
        ).expanduser()
        url = (
            database_url
            or os.environ.get("EASY_DATASET_DATABASE_URL")
            or f"sqlite:///{(resolved_home / DATABASE_FILE).resolve()}"
        )
        max_file_mb = _megabytes(max_file_mb, "EASY_DATASET_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)
        max_body_mb = _megabytes(max_body_mb, "EASY_DATASET_MAX_BODY_MB", DEFAULT_MAX_BODY_MB)
        max_upload_mb = max(
            _megabytes(max_upload_mb, "EASY_DATASET_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB),
            max_file_mb,
        )
        if allowed_hosts is None:
            raw_hosts = os.environ.get("EASY_DATASET_ALLOWED_HOSTS", "")
            allowed_hosts = [part for part in raw_hosts.replace(",", " ").split() if part]
        return cls(
            home=resolved_home.resolve(),
            database_url=url,
            max_file_bytes=int(max_file_mb * 1024 * 1024),
            max_body_bytes=int(max_body_mb * 1024 * 1024),
            max_upload_bytes=int(max_upload_mb * 1024 * 1024),
            allowed_hosts=tuple(host.strip().lower() for host in allowed_hosts if host.strip()),
        )


def megabytes(size: int) -> str:
    """A byte limit as people read it: "8 MB", "1.5 MB"."""
    return f"{size / (1024 * 1024):g} MB"


def _megabytes(value: float | None, env: str, default: float) -> float:
    """A size limit in MB: the argument, else the environment variable, else the default."""
    if value is None:
        raw = os.environ.get(env)
        try:
            value = float(raw) if raw else default
        except ValueError:
            raise ConfigError(f"{env} must be a number of megabytes, not {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"a size limit must be a positive number of megabytes, not {value}")
    return value
