"""Questions about one chunk: asked for, trimmed to the count, near-duplicates dropped."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.dedup import distinct_indices
from easy_dataset.generate.hygiene import clean_question
from easy_dataset.generate.results import Persona, QuestionDraft, QuestionsResult
from easy_dataset.generate.schemas import questions_schema
from easy_dataset.llm.types import ChatClient

HEADING_SEPARATOR = " > "


def heading_text(heading_path: Sequence[str]) -> str:
    return HEADING_SEPARATOR.join(part for part in heading_path if part)


async def generate_questions(
    client: ChatClient,
    *,
    chunk: str,
    heading_path: Sequence[str] = (),
    count: int,
    language: str,
    title: str = "",
    persona: Persona | None = None,
    tags: Sequence[str] | None = None,
    override: str | None = None,
) -> QuestionsResult:
    """At most `count` distinct questions the chunk answers, each labelled with one of
    `tags` (when given) or None where none fits."""
    if count <= 0:
        raise ValueError("generate_questions needs a count of at least 1")
    names = tuple(dict.fromkeys(" ".join(tag.split()) for tag in tags or () if tag.strip()))
    rendered = prompt(
        "questions",
        language,
        {
            "chunk": chunk,
            "heading_path": heading_text(heading_path),
            "title": title,
            "count": count,
            "persona": persona.to_dict() if persona else None,
            "tags": list(names) or None,
        },
        override,
    )
    reply: Any = await ask_json(client, rendered, questions_schema(count, names))
    # Debris (stray quotes and commas, leaked tags) repaired; what is empty then is dropped.
    # What is still wrong (an instruction posing as a question) is kept for the flag.
    replied = [
        QuestionDraft(clean_question(item.question).text, getattr(item, "tag", None))
        for item in reply.value.questions
    ]
    drafts = [draft for draft in replied if draft.text]
    kept = [drafts[index] for index in distinct_indices([d.text for d in drafts])][:count]
    return QuestionsResult(
        questions=kept,
        dropped=len(replied) - len(kept),
        provenance=provenance(client, rendered, reply.completion),
    )
