"""Evol-Instruct: a question rewritten into a harder one (in depth) or a new one in its domain
(in breadth), and the method's rules that eliminate a failed evolution.

An evolution is eliminated when
- no_change: it adds nothing over its parent (the same text once normalised, or a ROUGE-L
  against it at or above the threshold);
- copied_prompt: it copies words of the evolving prompt ("#Rewritten Prompt#", "given
  prompt"...);
- answer_failed: the answer to it fails: empty, a refusal ("sorry" in a short reply), or only
  punctuation and stop words.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.hygiene import clean_question
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient
from easy_dataset.quality.rouge import rouge_l, tokens

Method = Literal["constraints", "deepen", "concretize", "reasoning", "breadth"]
METHODS: tuple[Method, ...] = ("constraints", "deepen", "concretize", "reasoning", "breadth")
Elimination = Literal["no_change", "copied_prompt", "answer_failed"]
ELIMINATIONS: tuple[Elimination, ...] = ("no_change", "copied_prompt", "answer_failed")
DEFAULT_NO_CHANGE = 0.9
PROMPT_CHARS = 2000
# WizardLM's rule: a reply that says sorry and is short (under 80 words) failed.
SHORT_REFUSAL_WORDS = 80
SHORT_REFUSAL_CJK = 120

_COPIED = re.compile(
    r"#\s*(?:the\s+)?(?:given|rewritten|created)\s+prompt\s*#"
    r"|\b(?:given|rewritten|created)\s+prompt\b"
    r"|给定(?:的)?提示|改写(?:后的)?提示|重写(?:后的)?提示|新建(?:的)?提示",
    re.IGNORECASE,
)
_SORRY = re.compile(
    r"\bsorry\b|\bI (?:cannot|can't|am unable to|am not able to)\b|\bas an AI\b"
    r"|抱歉|对不起|无法回答|不能回答",
    re.IGNORECASE,
)
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "not",
        "no",
        "yes",
        "ok",
        "okay",
    ]
)
_CJK = re.compile("[\u3400-\u9fff]")


class EvolvedPrompt(BaseModel):
    """{"prompt": ...}: the evolved question."""

    prompt: str = Field(min_length=1, max_length=PROMPT_CHARS)


@dataclass(frozen=True)
class Evolution:
    """An evolved question (hygiene applied) and who wrote it."""

    method: Method
    text: str
    provenance: Provenance


def choose_method(methods: Sequence[Method], seed: int, question_id: int) -> Method:
    """The method for one question: drawn from `methods` with a seed of the run's seed and
    the question, so a rerun draws the same."""
    return random.Random(f"{seed}:{question_id}").choice(list(methods))


async def evolve_question(
    client: ChatClient,
    *,
    question: str,
    method: Method,
    language: str,
    chunk: str = "",
    overrides: dict[str, str] | None = None,
) -> Evolution:
    """The question evolved by `method` (one call)."""
    name = "evolve_breadth" if method == "breadth" else "evolve_depth"
    values: dict[str, Any] = {"prompt": question, "chunk": chunk}
    if method != "breadth":
        values["method"] = method
    rendered = prompt(name, language, values, (overrides or {}).get(name))
    reply: Any = await ask_json(client, rendered, EvolvedPrompt)
    text = clean_question(reply.value.prompt).text
    return Evolution(method, text, provenance(client, rendered, reply.completion))


def copies_prompt_words(text: str) -> bool:
    """Whether the evolved text copies words of the evolving prompt."""
    return bool(_COPIED.search(text))


def adds_nothing(parent: str, evolved: str, threshold: float = DEFAULT_NO_CHANGE) -> bool:
    """Whether the evolved text says no more than its parent: empty, the same once
    normalised, or a ROUGE-L against it of `threshold` or more."""
    mine = tokens(evolved)
    if not mine or mine == tokens(parent):
        return True
    return rouge_l(parent, evolved) >= threshold


def answer_fails(answer: str) -> bool:
    """Whether an answer shows the question failed: empty, a short refusal, or nothing but
    punctuation and stop words."""
    words = tokens(answer)
    if not words:
        return True
    short = (
        len(_CJK.findall(answer)) < SHORT_REFUSAL_CJK
        if _CJK.search(answer)
        else len(answer.split()) < SHORT_REFUSAL_WORDS
    )
    if short and _SORRY.search(answer):
        return True
    return all(word in _STOP_WORDS for word in words)


def eliminated(
    parent: str, evolved: str, threshold: float = DEFAULT_NO_CHANGE
) -> Elimination | None:
    """Why the evolved question is eliminated before it is answered, or None."""
    if copies_prompt_words(evolved):
        return "copied_prompt"
    if adds_nothing(parent, evolved, threshold):
        return "no_change"
    return None
