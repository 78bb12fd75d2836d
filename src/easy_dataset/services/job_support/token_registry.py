"""The registry of token estimators: one per job type that calls a model.

Each estimator (`@token_estimator(type)`) is given the items the job's own `plan` returned
and counts the model calls it would make, their prompt tokens (the texts put into the
project's prompt templates) and completion tokens (typical reply sizes). The generation
job types register theirs in `generation.estimate_tokens`, quality.judge in its own module; this
module imports no job module, so any of them can import it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from easy_dataset.llm.tokens import estimate_messages
from easy_dataset.prompts import render
from easy_dataset.services.app import App
from easy_dataset.services.job_support.common import language_for
from easy_dataset.services.prompts import effective_template
from easy_dataset.types import GenerationSettings


@dataclass
class Figures:
    """What one job's items cost: model calls (at least), prompt and completion tokens;
    answers.generate also counts questions answered without context and those left out."""

    calls: int
    prompt: int
    completion: int
    without_context: int = 0
    skipped_no_chunk: int = 0


@dataclass
class EstimateInput:
    """What every estimator reads: the project, the job's options and its settings, and
    the prompt templates' own sizes (rendered once per prompt, language and variant)."""

    app: App
    project_id: int
    params: dict[str, Any]
    settings: GenerationSettings
    overheads: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def language(self, text: str) -> str:
        return language_for(self.settings, text)

    def overhead(self, name: str, language: str, values: dict[str, Any], variant: str = "") -> int:
        """Prompt tokens of template `name` rendered with its texts left empty (the texts'
        own tokens are added by the caller)."""
        key = (name, language, variant)
        if key not in self.overheads:
            override = effective_template(self.app, self.project_id, name, language)
            rendered = render(name, language, values, override=override)
            self.overheads[key] = estimate_messages(rendered.messages)
        return self.overheads[key]


TokenEstimator = Callable[[EstimateInput, list[str]], Figures]
TOKEN_ESTIMATORS: dict[str, TokenEstimator] = {}


def token_estimator(job_type: str) -> Callable[[TokenEstimator], TokenEstimator]:
    """Register the estimator of a job type."""

    def add(function: TokenEstimator) -> TokenEstimator:
        TOKEN_ESTIMATORS[job_type] = function
        return function

    return add
