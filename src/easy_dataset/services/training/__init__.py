"""Fine-tuning services: the `train.run` stage and the training runs it records. Importing
this package registers the stage."""

from easy_dataset.services.training import jobs  # noqa: F401 (registers the stage)
from easy_dataset.services.training.runs import TrainingRunView, get_run, list_runs

__all__ = ["TrainingRunView", "get_run", "list_runs"]
