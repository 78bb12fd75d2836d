"""The cross-chunk prompt: questions needing several of the <chunk label="N"> blocks.

"CrossChunkQuestions" gets as many questions as the prompt asks for ("Write N question",
"提出 N 个问题"). Question i joins sentence i of every chunk (cycling through each chunk's
sentences): its answer has one part per chunk, that sentence word for word, credited to
the chunk's label, so grounding finds every part in its chunk.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first, sentences

CHUNK = re.compile(r'<chunk label="(\d+)">\s*(.*?)\s*</chunk>', re.DOTALL)
_COUNT = re.compile(r"Write (\d+) questions?\b|提出 (\d+) 个问题")
# Lines that are not the chunk's prose: the prompt's labels and Markdown headings.
_META = ("Document:", "Section:", "文档：", "章节：", "#")


def chunk_texts(user_texts: list[str]) -> list[str]:
    """The text of each labelled chunk of the latest prompt that has some, in label order."""
    for text in user_texts:
        found = CHUNK.findall(text)
        if found:
            return [
                "\n".join(line for line in body.splitlines() if not line.startswith(_META))
                for _, body in sorted(found, key=lambda pair: int(pair[0]))
            ]
    return []


def _opening(sentence: str) -> str:
    return " ".join(sentence.rstrip(".。!?").split()[:5]).lower()


@shapes("CrossChunkQuestions")
def cross_chunk_reply(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    chunks = [sentences(text) or [text.strip()] for text in chunk_texts(user_texts)]
    stated = first(_COUNT, user_texts)
    count = int(stated.group(1) or stated.group(2)) if stated else 1
    questions = []
    for index in range(count):
        picked = [facts[index % len(facts)] for facts in chunks]
        openings = " and ".join(f"'{_opening(fact)}'" for fact in picked)
        questions.append(
            {
                "question": f"How do {openings} fit together ({index + 1})?",
                "answer": [
                    {"text": fact, "chunk": label} for label, fact in enumerate(picked, start=1)
                ],
            }
        )
    return {"questions": questions}
