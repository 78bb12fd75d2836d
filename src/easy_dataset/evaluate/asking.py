"""How an evaluation item is put to the model under test: one system and one user message,
asking for the reply in the form its kind is scored in (letters, true/false, a short
answer, a full answer)."""

from __future__ import annotations

from collections.abc import Sequence

from easy_dataset.evaluate.kinds import LETTERS
from easy_dataset.prompts import RenderedPrompt, render

ASK_PROMPT = "eval_ask"


def lettered(options: Sequence[str]) -> list[str]:
    """Options as the model sees them: "A. text", "B. text", ..."""
    # More options than letters cannot be stored (`check_item`); zip stops at the letters.
    pairs = zip(LETTERS, options, strict=False)
    return [f"{letter}. {' '.join(str(text).split())}" for letter, text in pairs]


def ask_prompt(
    kind: str,
    question: str,
    options: Sequence[str],
    language: str,
    override: str | None = None,
) -> RenderedPrompt:
    """The messages that put one item to the model (the project's own template if given)."""
    values = {"kind": kind, "question": question, "options": lettered(options)}
    return render(ASK_PROMPT, language, values, override=override)
