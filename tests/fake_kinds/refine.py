"""The self-correction prompt (answer_refine), answers with citations (answer_cited), and the
judge of a QA pair whose answer is planted or made of the material's sentences.

Tests plant cases with marks in a question or an answer:

- "JudgeScores" for a QA pair (the judge prompt: the answer sits in <answer>, there is no
  <assistant> turn): an answer holding "[wrong]" scores accuracy 1 (2.8 with the default
  weights); one holding "[nonsense]" accuracy 0, relevance 0, consistency 1 (1.0); an
  answer of two or more sentences all in the <material> accuracy 5 (4.4); the rest passes
  to the generic reply (every criterion 4).
- A rewrite (a prompt with a <critique>, "RefinedAnswer" or "CitedAnswer"): the question
  holding "[stubborn]" gets the answer back unchanged, "[worse]" gets a "[nonsense]" answer;
  any other gets the material's first two sentences, which the judge scores 4.4.
- "CitedAnswer" (answer_cited, or a rewrite with citations): the quotes are the sentences of
  the answer copied from the material as they stand there (line breaks included); the
  question holding "[hallucinate]" adds a quote the material does not hold, "[near]" has a
  letter of the first quote changed (a near-exact match).
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first, material, sentences

_ANSWER = re.compile(r"<answer>\s*(.*?)\s*</answer>", re.DOTALL)
_QUESTION = re.compile(r"<question>\s*(.*?)\s*</question>", re.DOTALL)
_CRITIQUE = re.compile(r"<critique>")
_ASSISTANT = re.compile(r"<assistant>")
HALLUCINATED = "Bees make their honey from moonlight gathered on cold nights."
NONSENSE = "[nonsense] Bees are a kind of flowering plant."


def _flat(text: str) -> str:
    return " ".join(text.split())


def _facts(user_texts: list[str]) -> list[str]:
    """The material's sentences as written there, headings left out."""
    prose = "\n".join(
        line for line in material(user_texts).splitlines() if not line.lstrip().startswith("#")
    )
    return sentences(prose) or ["Bees are social insects that live in colonies."]


def _found(pattern: re.Pattern[str], user_texts: list[str]) -> str:
    match = first(pattern, user_texts)
    return match.group(1) if match else ""


@shapes("JudgeScores")
def pair_scores(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any] | None:
    """The judge of a QA pair with a planted answer or one made of the material."""
    if first(_ASSISTANT, user_texts) is not None:
        return None  # a dialogue turn: tests/fake_kinds/dialogue.py
    answer = _found(_ANSWER, user_texts)
    if "[nonsense]" in answer:
        scores, verdict = (4, 0, 0, 1), "The answer is unrelated to the question and wrong."
    elif "[wrong]" in answer:
        scores, verdict = (4, 1, 4, 4), "The answer states a fact the material does not give."
    else:
        said = sentences(answer)
        source = _flat(material(user_texts))
        if len(said) < 2 or not all(_flat(sentence) in source for sentence in said):
            return None
        scores, verdict = (4, 5, 4, 4), "Every claim is in the material."
    return dict(zip(("question", "accuracy", "relevance", "consistency"), scores, strict=True)) | {
        "verdict": verdict
    }


def _answer(user_texts: list[str]) -> tuple[str, list[str]]:
    """The answer a prompt gets, and the sentences of the material it rests on."""
    question = _found(_QUESTION, user_texts)
    if first(_CRITIQUE, user_texts) is not None:
        if "[stubborn]" in question:
            return _found(_ANSWER, user_texts), []
        if "[worse]" in question:
            return NONSENSE, []
    used = _facts(user_texts)[:2]
    return " ".join(_flat(fact) for fact in used), used


@shapes("RefinedAnswer")
def refined(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    return {"answer": _answer(user_texts)[0]}


@shapes("CitedAnswer")
def cited(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    answer, quotes = _answer(user_texts)
    question = _found(_QUESTION, user_texts)
    if quotes and "[near]" in question:
        quotes = [quotes[0].replace("e", "a", 1), *quotes[1:]]
    if "[hallucinate]" in question:
        quotes = [*quotes, HALLUCINATED]
    return {"answer": answer, "quotes": quotes}
