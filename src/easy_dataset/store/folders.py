"""Project folders on disk: originals and their Markdown, under generated names only."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


class ProjectFolder:
    """`<home>/projects/<id>/` with `originals/`, `markdown/` and `benchmarks/` inside.

    Names are generated here; nothing a user typed is ever joined into a path, so no upload
    can land outside the folder.
    """

    def __init__(self, home: Path, project_id: int) -> None:
        self.root = (home / "projects" / str(int(project_id))).resolve()
        self.originals = self.root / "originals"
        self.markdown = self.root / "markdown"
        # Benchmark items a contamination check compares questions with.
        self.benchmarks = self.root / "benchmarks"

    @staticmethod
    def new_name(suffix: str) -> str:
        """A fresh file name that keeps a known-safe lower-case suffix and nothing else."""
        suffix = suffix.lower()
        return uuid.uuid4().hex + (suffix if _SAFE_SUFFIX.match(suffix) else "")

    def _inside(self, folder: Path, name: str) -> Path:
        path = (folder / name).resolve()
        if path.parent != folder:
            raise ValueError(f"refusing a stored name that leaves the project folder: {name!r}")
        return path

    def original(self, stored_name: str) -> Path:
        return self._inside(self.originals, stored_name)

    def markdown_file(self, markdown_name: str) -> Path:
        return self._inside(self.markdown, markdown_name)

    def benchmark_file(self, stored_name: str) -> Path:
        return self._inside(self.benchmarks, stored_name)

    def write(self, path: Path, data: bytes) -> None:
        """Write atomically: a reader sees the old file or the whole new one, never a part."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(partial, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)

    def copy_in(self, source: Path, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        shutil.copyfile(source, partial)
        os.replace(partial, path)

    def remove(self, *paths: Path) -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    def delete(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
