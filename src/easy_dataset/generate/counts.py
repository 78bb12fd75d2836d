"""How many questions a chunk gets."""

from __future__ import annotations

from easy_dataset.types import GenerationSettings


def question_count(chunk_chars: int, settings: GenerationSettings) -> int:
    """The exact number when set, else one per `chars_per_question`, clamped to the bounds."""
    if settings.exact_questions is not None:
        return settings.exact_questions
    # Half up, not Python's banker's rounding: 1.5 questions' worth of text earns two.
    estimate = int(chunk_chars / settings.chars_per_question + 0.5)
    return max(settings.min_questions, min(settings.max_questions, estimate))
