"""The kinds of evaluation items and the shape of their reference answers.

A choice item's options are lettered A, B, C ... in order; its reference answer is the
correct letters, upper case, in letter order ("B", "ACD"). A true/false item's reference is
"true" or "false". Short-answer and open items keep a reference text.
"""

from __future__ import annotations

import string
from typing import Literal, get_args

EvalKind = Literal["true_false", "single_choice", "multiple_choice", "short_answer", "open"]
EVAL_KINDS: tuple[EvalKind, ...] = get_args(EvalKind)
CHOICE_KINDS: tuple[EvalKind, ...] = ("single_choice", "multiple_choice")
CLOSED_KINDS: tuple[EvalKind, ...] = ("true_false", "single_choice", "multiple_choice")

EvalOrigin = Literal["generated", "held_out", "imported", "manual"]
EVAL_ORIGINS: tuple[EvalOrigin, ...] = get_args(EvalOrigin)

MIN_OPTIONS = 2
MAX_OPTIONS = 10
LETTERS = string.ascii_uppercase[:MAX_OPTIONS]


def letters_for(count: int) -> str:
    """The letters of `count` options: "ABCD" for four."""
    return LETTERS[:count]


def normal_letters(answer: str) -> str:
    """Letters as stored: upper case, each once, in letter order ("c, a" -> "AC")."""
    return "".join(sorted({char for char in answer.upper() if char in LETTERS}))


def check_item(kind: str, options: list[str], answer: str) -> str:
    """The reference answer in its stored form, or ValueError saying what is wrong."""
    if kind not in EVAL_KINDS:
        raise ValueError(f"the kind is one of {', '.join(EVAL_KINDS)}, not {kind!r}")
    if kind in CHOICE_KINDS:
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise ValueError(
                f"a choice item has {MIN_OPTIONS} to {MAX_OPTIONS} options, not {len(options)}"
            )
        if any(not option.strip() for option in options):
            raise ValueError("an option may not be empty")
        letters = normal_letters(answer)
        if not letters or any(
            char not in letters_for(len(options)) for char in answer.upper() if char.isalpha()
        ):
            raise ValueError(
                f"the answer names options by letter ({letters_for(len(options))}), not {answer!r}"
            )
        if kind == "single_choice" and len(letters) != 1:
            raise ValueError(f"a single-choice item has one correct letter, not {letters!r}")
        return letters
    if options:
        raise ValueError(f"a {kind} item has no options")
    if kind == "true_false":
        value = answer.strip().lower()
        if value not in ("true", "false"):
            raise ValueError(f"a true/false item's answer is 'true' or 'false', not {answer!r}")
        return value
    if not answer.strip():
        raise ValueError("the reference answer may not be empty")
    return answer.strip()
