"""GGUF files read once per process. gguf's reader decodes every metadata entry in Python:
3 s for SmolLM2's 49k-token vocabulary on a 2-core machine. transformers reads a GGUF base
anew for its config, its tokenizer and its weights, and the GGUF export reads it once more
for the metadata it copies: four reads where one does."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# The base models of this process's recent runs: a reader maps its file, it does not load it.
KEPT = 2

_readers: dict[tuple[str, int, int, int], Any] = {}
_readers_lock = threading.Lock()
_patch_lock = threading.Lock()


def read_gguf(path: str | os.PathLike[str]) -> Any:
    """`path`'s `gguf.GGUFReader`, the one read before unless the file has changed since."""
    # From its own module: `shared_reads` replaces the name the package exports.
    from gguf.gguf_reader import GGUFReader

    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = GGUFReader(path)
            while len(_readers) >= KEPT:
                del _readers[next(iter(_readers))]
            _readers[key] = reader
        return reader


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, transformers' GGUF loads read through `read_gguf`."""
    import gguf

    # transformers imports the class from the module on each load; read-only opens are the
    # only kind it makes, and the only kind shared.
    original = gguf.GGUFReader

    def reader(path: str | os.PathLike[str], mode: str = "r") -> Any:
        return read_gguf(path) if mode == "r" else original(path, mode)

    with _patch_lock:
        setattr(gguf, "GGUFReader", reader)  # noqa: B010 (a class replaced by a function)
        try:
            yield
        finally:
            setattr(gguf, "GGUFReader", original)  # noqa: B010
