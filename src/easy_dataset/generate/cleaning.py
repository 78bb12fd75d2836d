"""A chunk cleaned by the model: running headers and footers, page numbers, hyphenation and
scanning noise removed, every sentence of content kept.

The deterministic pre-pass (`chunking.furniture.prepass`) runs first and the model gets
its result; the model's text is then held against the *original* chunk by the safety check
(`chunking.cleaning_check`), so a reply that dropped a sentence — or that the pre-pass got
wrong — is refused with the sentences it lost, never proposed.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from easy_dataset.chunking.cleaning_check import CleaningCheck, check_cleaning
from easy_dataset.chunking.furniture import Prepass, prepass, running_in
from easy_dataset.errors import ContentLossError, InputError
from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance
from easy_dataset.llm.types import ChatClient

PROMPT = "chunk_clean"


class CleanedChunk(BaseModel):
    """The model's reply: the chunk's cleaned text."""

    model_config = ConfigDict(title="CleanedChunk")

    text: str


@dataclass(frozen=True)
class CleaningResult:
    """The cleaned text of a chunk (`unchanged` when there was nothing to remove), what the
    pre-pass did, and the prompt and model that wrote it."""

    text: str
    prepass: Prepass
    check: CleaningCheck
    provenance: Provenance
    unchanged: bool


async def clean_chunk(
    client: ChatClient,
    *,
    chunk: str,
    running: Collection[str] = (),
    heading_path: Sequence[str] = (),
    title: str = "",
    language: str = "en",
    override: str | None = None,
) -> CleaningResult:
    """The chunk cleaned; `running` are its file's running-line keys
    (`furniture.running_lines`). ContentLossError when the model's text lost a sentence of
    content or added text; InputError when nothing but furniture would be left."""
    if not chunk.strip():
        raise InputError("an empty chunk has nothing to clean")
    before = prepass(chunk)
    rendered = prompt(
        PROMPT,
        language,
        {
            "chunk": before.text,
            "running": running_in(chunk, running),
            "heading_path": heading_text(heading_path),
            "title": title,
        },
        override,
    )
    reply = await ask_json(client, rendered, CleanedChunk)
    text = reply.value.text.replace("\r\n", "\n").strip("\n")
    check = check_cleaning(chunk, text, running)
    if not check.ok:
        raise ContentLossError(
            f"cleaning refused: {check.reason()}", raw_output=reply.completion.raw
        )
    if not text.strip():
        raise InputError(
            "the chunk holds nothing but page furniture (page numbers, running lines, "
            "noise); delete it rather than clean it"
        )
    return CleaningResult(
        text=text,
        prepass=before,
        check=check,
        provenance=provenance(client, rendered, reply.completion),
        unchanged=" ".join(text.split()) == " ".join(chunk.split()),
    )
