"""Fine-tuning on the project's data: LoRA, QLoRA, prefix tuning or full fine-tuning.

Needs the optional `train` extra; every module imports torch and transformers inside the
functions that use them, so importing this package costs nothing without it.
"""

from easy_dataset.train.extra import INSTALL_HINT, require_train
from easy_dataset.train.settings import TrainSettings

__all__ = ["INSTALL_HINT", "TrainSettings", "require_train"]
