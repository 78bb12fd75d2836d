"""Files and folders only their owner may read: the data home and the SQLite database.

The database holds API keys and everything a user imported; on a shared machine the
default umask (644 files, 755 folders) would let every account read them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600
# SQLite's companions of a database file; it creates them with the database's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_folder(path: Path, *, tighten: bool = False) -> None:
    """Create `path` (and missing parents) for its owner only; with `tighten`, an existing
    one loses group and other permissions too (only for folders that are ours alone)."""
    existed = path.exists()
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if tighten or not existed:
        _tighten(path, FOLDER_MODE)  # mkdir's mode is filtered by the umask


def private_sqlite_file(path: Path) -> None:
    """Create the database file owner-only before SQLite does, and tighten what exists; the
    folder is made private only when we create it (it may be the user's own)."""
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + end) for end in SQLITE_COMPANIONS)):
        if candidate.exists():
            _tighten(candidate, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    """Drop group and other permissions from a path we own; leave anyone else's alone."""
    try:
        info = path.stat()
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return
        if stat.S_IMODE(info.st_mode) & ~mode:
            path.chmod(stat.S_IMODE(info.st_mode) & mode)
    except OSError:
        pass  # a file system without POSIX modes: nothing to tighten
