"""The `train` extra, checked where training starts, with a one-line install hint."""

from __future__ import annotations

import importlib.util

from easy_dataset.errors import MissingExtraError

# torch first and on its own: left to the resolver, pip picks a CUDA build of several GB.
INSTALL_HINT = (
    "install torch for your machine (e.g. `pip install torch==2.13.0`), then "
    "`pip install 'easy-dataset[train]'`"
)
MODULES = ("torch", "transformers", "peft", "accelerate", "gguf")


def missing_modules() -> list[str]:
    return [name for name in MODULES if importlib.util.find_spec(name) is None]


def require_train(what: str = "training") -> None:
    """Raise MissingExtraError naming what is missing and how to install it."""
    missing = missing_modules()
    if missing:
        raise MissingExtraError("train", f"{what} (missing: {', '.join(missing)})", INSTALL_HINT)
