"""Test items of one kind written from one chunk: the JSON shape the model replies in for
each kind, checked as the reply is validated, so a malformed item (one option, a letter
with no option, two answers to a single-choice question) is asked again and, if it stays
wrong, fails with the reason rather than entering the set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from easy_dataset.errors import InputError
from easy_dataset.evaluate.kinds import CHOICE_KINDS, MAX_OPTIONS, EvalKind, check_item
from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient

PROMPT = "eval_item"
# Bounded so a grammar-constrained local model always finishes the document.
QUESTION_CHARS = 1000
OPTION_CHARS = 400
SHORT_ANSWER_CHARS = 300
OPEN_ANSWER_CHARS = 4000
# How many options a generated choice item is asked for (a reply may have 2 to 10).
OPTION_COUNT = 4

Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=QUESTION_CHARS)
]
Option = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=OPTION_CHARS)
]


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TrueFalseItem(_Item):
    """A statement to judge true or false."""

    question: Question
    answer: bool


class _ChoiceItem(_Item):
    question: Question
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)
    answer: Annotated[str, StringConstraints(min_length=1, max_length=2 * MAX_OPTIONS)]

    @model_validator(mode="after")
    def _letters(self) -> _ChoiceItem:
        self.answer = check_item(self._kind(), list(self.options), self.answer)
        if len({option.casefold() for option in self.options}) != len(self.options):
            raise ValueError("two options are the same: every option must differ")
        return self

    def _kind(self) -> str:
        raise NotImplementedError


class SingleChoiceItem(_ChoiceItem):
    """A question with lettered options, exactly one of them correct."""

    def _kind(self) -> str:
        return "single_choice"


class MultipleChoiceItem(_ChoiceItem):
    """A question with lettered options, one or more of them correct."""

    def _kind(self) -> str:
        return "multiple_choice"


class ShortAnswerItem(_Item):
    """A question answered in a word, a number or a short phrase."""

    question: Question
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_ANSWER_CHARS)
    ]


class OpenItem(_Item):
    """A question that needs a written answer, with a reference answer."""

    question: Question
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=OPEN_ANSWER_CHARS)
    ]


SCHEMAS: dict[EvalKind, type[_Item]] = {
    "true_false": TrueFalseItem,
    "single_choice": SingleChoiceItem,
    "multiple_choice": MultipleChoiceItem,
    "short_answer": ShortAnswerItem,
    "open": OpenItem,
}


@dataclass(frozen=True)
class GeneratedItem:
    """A test item in its stored form (answer as `check_item` keeps it) and who wrote it."""

    kind: EvalKind
    question: str
    answer: str
    provenance: Provenance
    options: list[str] = field(default_factory=list)


def stored_form(kind: EvalKind, value: Any) -> tuple[str, list[str], str]:
    """(question, options, answer) of a validated reply, the answer as stored."""
    if kind == "true_false":
        return value.question, [], "true" if value.answer else "false"
    options = list(value.options) if kind in CHOICE_KINDS else []
    return value.question, options, check_item(kind, options, str(value.answer))


async def generate_item(
    client: ChatClient,
    *,
    kind: EvalKind,
    chunk: str,
    language: str,
    heading_path: Sequence[str] = (),
    title: str = "",
    override: str | None = None,
) -> GeneratedItem:
    """One test item of `kind` whose reference answer the chunk supports."""
    if not chunk.strip():
        raise InputError("a test item needs a chunk with text to ask about")
    rendered = prompt(
        PROMPT,
        language,
        {
            "chunk": chunk,
            "kind": kind,
            "option_count": OPTION_COUNT,
            "heading_path": heading_text(heading_path),
            "title": title,
        },
        override,
    )
    reply: Any = await ask_json(client, rendered, SCHEMAS[kind])
    question, options, answer = stored_form(kind, reply.value)
    return GeneratedItem(
        kind=kind,
        question=question,
        options=options,
        answer=answer,
        provenance=provenance(client, rendered, reply.completion),
    )
