"""easy-dataset: turn your own documents into instruction-tuning datasets.

The Python API is `Workspace` (a data home) and its `Project`s; see `easy_dataset.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from easy_dataset.api import Project, Workspace

__all__ = ["Project", "Workspace", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so `easy-dataset --version` and light imports stay fast.
    if name in ("Project", "Workspace"):
        from easy_dataset import api

        return getattr(api, name)
    raise AttributeError(f"module 'easy_dataset' has no attribute {name!r}")
