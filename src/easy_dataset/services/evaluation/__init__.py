"""Evaluation services: evaluation sets, models scored on them, the blind arena, preference
pairs and the playground. Importing this package registers their stages."""

from easy_dataset.services.evaluation import run_jobs  # noqa: F401  (registers eval.run)
