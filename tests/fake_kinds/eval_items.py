"""The eval_item prompt: one test item of each kind, built from the <material> sentences.

The sentence used is picked by the checksum of the material, so a reply is deterministic.
True/false states the sentence as it is (answer true); single choice offers the sentence
and three stock distractors with the sentence at B; multiple choice has the sentence at A
and C; a short answer is the sentence's last word; an open answer is the sentence itself.
"""

from __future__ import annotations

import zlib
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import material, sentences

DISTRACTORS = (
    "Bees hibernate underground all winter.",
    "Honey is made from tree sap.",
    "Drones collect most of the pollen.",
)


def fact(user_texts: list[str]) -> str:
    text = material(user_texts)
    found = sentences(text) or ["Bees are social insects that live in colonies."]
    return found[zlib.crc32(text.encode()) % len(found)]


@shapes("TrueFalseItem")
def true_false(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    return {"question": fact(user_texts), "answer": True}


@shapes("SingleChoiceItem")
def single_choice(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    options = [DISTRACTORS[0], fact(user_texts), DISTRACTORS[1], DISTRACTORS[2]]
    return {"question": "Which statement is true?", "options": options, "answer": "B"}


@shapes("MultipleChoiceItem")
def multiple_choice(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    statement = fact(user_texts)
    options = [statement, DISTRACTORS[0], f"In short: {statement}", DISTRACTORS[1]]
    return {"question": "Which statements are true?", "options": options, "answer": "AC"}


@shapes("ShortAnswerItem")
def short_answer(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    statement = fact(user_texts)
    last = statement.rstrip(".!?。！？").split()[-1]
    return {"question": f"Complete: {statement[: -len(last) - 1]} …", "answer": last}


@shapes("OpenItem")
def open_item(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    return {
        "question": "What does the material say about this subject?",
        "answer": fact(user_texts),
    }
