"""Genre–audience personas proposed for one document."""

from __future__ import annotations

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.results import Persona, PersonasResult
from easy_dataset.generate.schemas import PersonaOut, personas_schema
from easy_dataset.llm.types import ChatClient

EXCERPT_CHARS = 2000  # enough of the text to judge its register, cheap to send


def _tidy(text: str) -> str:
    return " ".join(text.split())


async def propose_personas(
    client: ChatClient,
    *,
    title: str,
    outline: str = "",
    excerpt: str = "",
    count: int = 5,
    language: str,
    override: str | None = None,
) -> PersonasResult:
    """`count` genre + audience pairs, each with a description, for the document."""
    rendered = prompt(
        "ga_pairs",
        language,
        {"title": title, "outline": outline, "excerpt": excerpt[:EXCERPT_CHARS], "count": count},
        override,
    )
    reply = await ask_json(client, rendered, personas_schema(count))
    pairs: list[PersonaOut] = getattr(reply.value, "pairs")  # noqa: B009 (dynamic model)
    personas = [
        Persona(
            genre=_tidy(pair.genre),
            audience=_tidy(pair.audience),
            genre_description=pair.genre_description.strip(),
            audience_description=pair.audience_description.strip(),
        )
        for pair in pairs[:count]
    ]
    return PersonasResult(personas, provenance(client, rendered, reply.completion))
