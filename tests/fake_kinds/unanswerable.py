"""The unanswerable prompt: questions the <material> leaves open, with refusals.

"UnanswerableQuestions" gets as many questions as the prompt asks for ("Write N question",
"提出 N 个"), each asking who first described the subject and when, which no test chunk
says, numbered past those the prompt lists as asked already; its answer repeats one
sentence of the material (grounded) and then declines in so many words.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first, material, sentences

_COUNT = re.compile(r"Write (\d+) questions?\b|提出 (\d+) 个")
_HEADING = re.compile(r"^(?:Section|章节)[:：]\s*(.+)$", re.MULTILINE)


@shapes("UnanswerableQuestions")
def unanswerable_reply(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    prose = "\n".join(
        line for line in material(user_texts).splitlines() if not line.startswith("#")
    )
    facts = sentences(prose) or ["Bees live in colonies."]
    stated = first(_COUNT, user_texts)
    count = int(stated.group(1) or stated.group(2)) if stated else 1
    section = first(_HEADING, user_texts)
    subject = section.group(1).split(" > ")[-1].strip() if section else "this subject"
    questions: list[dict[str, str]] = []
    index = 0
    while len(questions) < count:
        question = f"Who first described {subject}, and in which year ({index + 1})?"
        index += 1
        if any(question in text for text in user_texts):
            continue  # already asked, as the prompt lists: ask the next one
        fact = facts[len(questions) % len(facts)]
        questions.append(
            {
                "question": question,
                "answer": f"{fact} I can't tell you who first described {subject} or when: "
                "that is not something I have information on.",
            }
        )
    return {"questions": questions}
