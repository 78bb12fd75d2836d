"""Distillation from a topic: sub-topics (distill_tags), questions about a leaf
(distill_questions) and the judge of a sample without source material (judge_open,
judge_turn_open).

"SubTopics" names the last node of the prompt's <path> "<node> aspect 1", "<node> aspect
2"... as many as the prompt asks for ("exactly N sub-topics", "恰好列出 N 个"), leaving out
the names the prompt says are taken (its "  - name" lines). A topic whose name holds
"overlap" also offers "Overlap basics" first at every node, so a tree of it meets a
duplicate to drop and a node to ask again. "DistilledQuestions" asks "What matters most
about <leaf>, point k?" for the leaf at the end of the prompt's <subject>, as many as asked.
"OpenJudgeScores" scores 4 everywhere but relevance: 5 when the prompt names the subject
(a <subject> block), else 3.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first

_PATH = re.compile(r"<path>\s*(.*?)\s*</path>", re.DOTALL)
_SUBJECT = re.compile(r"<subject>\s*(.*?)\s*</subject>", re.DOTALL)
_COUNT = re.compile(r"exactly (\d+) (?:sub-topics?|questions?)\b|恰好(?:列出|写出)\s*(\d+)\s*个")
_TAKEN = re.compile(r"^  - (.+)$", re.MULTILINE)
OVERLAP = "Overlap basics"


def _count(texts: list[str]) -> int:
    found = first(_COUNT, texts)
    return int(found.group(1) or found.group(2)) if found else 1


def _last(path: str) -> str:
    return path.split(" > ")[-1].strip()


@shapes("SubTopics")
def subtopics(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    path = first(_PATH, user_texts)
    parts = path.group(1).split(" > ") if path else ["Topic"]
    node, topic = parts[-1].strip(), parts[0].strip()
    taken = {name.strip().casefold() for text in user_texts for name in _TAKEN.findall(text)}
    count = _count(user_texts)
    offered = [OVERLAP] if "overlap" in topic.casefold() else []
    offered += [f"{node} aspect {index}" for index in range(1, count + len(taken) + 2)]
    names = [name for name in offered if name.casefold() not in taken]
    return {"topics": names[:count]}


@shapes("DistilledQuestions")
def questions(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    subject = first(_SUBJECT, user_texts)
    leaf = _last(subject.group(1)) if subject else "the subject"
    return {
        "questions": [
            f"What matters most about {leaf}, point {index}?"
            for index in range(1, _count(user_texts) + 1)
        ]
    }


@shapes("OpenJudgeScores")
def open_scores(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    subject = first(_SUBJECT, user_texts)
    return {
        "question": 4,
        "accuracy": 4,
        "relevance": 5 if subject else 3,
        "consistency": 4,
        "verdict": f"Correct by what is known of {_last(subject.group(1))}."
        if subject
        else "Correct by what is known of the subject.",
    }
