"""A GGUF base read once while a model loads. gguf's reader decodes every metadata entry in
Python: 3 s and 167 MB for SmolLM2's 49k-token vocabulary on a 2-core machine. transformers
reads the file anew for the config, the tokenizer and the weights."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Reentrant: a block inside another (in one thread) must not wait for itself.
_patch_lock = threading.RLock()


@contextmanager
def read_once() -> Iterator[None]:
    """Within the block, transformers reads each GGUF file once; the parsed files go at its
    end, so a server that trained keeps none of them."""
    import gguf

    # The class from its own module: the block replaces the name the package exports, which
    # transformers looks up at each load.
    from gguf.gguf_reader import GGUFReader

    readers: dict[tuple[str, int, int, int], Any] = {}

    def reader(path: str | os.PathLike[str], mode: str = "r") -> Any:
        if mode != "r":
            return GGUFReader(path, mode)
        stat = Path(path).stat()
        key = (str(Path(path).resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if key not in readers:
            readers[key] = GGUFReader(path)
        return readers[key]

    with _patch_lock:
        exported = gguf.GGUFReader
        setattr(gguf, "GGUFReader", reader)  # noqa: B010 (a class replaced by a function)
        try:
            yield
        finally:
            setattr(gguf, "GGUFReader", exported)  # noqa: B010
