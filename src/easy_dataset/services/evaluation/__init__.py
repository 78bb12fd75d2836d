"""Evaluation services: evaluation sets, models scored on them, the blind arena, preference
pairs and the playground. Importing this package registers their stages."""

from easy_dataset.services.evaluation import (  # noqa: F401 (registers the stages)
    arena_jobs,
    generate_jobs,
    run_jobs,
)
