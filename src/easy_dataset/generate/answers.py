"""Grounded answers with a chain of thought, and answers revised from a reviewer's advice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from easy_dataset.errors import ModelCallError
from easy_dataset.generate.calls import ask_text, prompt, provenance
from easy_dataset.generate.cot import mentions_source, scrub_source_mentions
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import (
    AnswerResult,
    CotRewrite,
    CotSource,
    Persona,
    Provenance,
    RevisedAnswer,
)
from easy_dataset.llm.types import ChatClient


async def generate_answer(
    client: ChatClient,
    *,
    question: str,
    chunk: str,
    language: str,
    heading_path: Sequence[str] = (),
    title: str = "",
    persona: Persona | None = None,
    synthesize_cot: bool = True,
    overrides: Mapping[str, str] | None = None,
) -> AnswerResult:
    """The answer from the chunk; its chain of thought is the model's own reasoning when it
    gives one, else synthesised (when asked), then freed of "according to the text"."""
    overrides = overrides or {}
    headings = heading_text(heading_path)
    rendered = prompt(
        "answer",
        language,
        {
            "question": question,
            "chunk": chunk,
            "heading_path": headings,
            "title": title,
            "persona": persona.to_dict() if persona else None,
        },
        overrides.get("answer"),
    )
    completion = await ask_text(client, rendered)
    answer = completion.text.strip()
    main = provenance(client, rendered, completion)
    steps = [main]
    cot = (completion.reasoning or "").strip()
    source: CotSource = "reasoning" if cot else "none"
    if not cot and synthesize_cot:
        synth = prompt(
            "cot_synthesize",
            language,
            {"question": question, "answer": answer, "chunk": chunk, "heading_path": headings},
            overrides.get("cot_synthesize"),
        )
        reply = await ask_text(client, synth)
        cot, source = reply.text.strip(), "synthesized"
        steps.append(provenance(client, synth, reply))
    rewrite: CotRewrite = "none"
    if cot and mentions_source(cot):
        cot, rewrite, step = await rewrite_cot(client, cot, language, overrides.get("cot_rewrite"))
        if step is not None:
            steps.append(step)
    return AnswerResult(answer, cot, source, rewrite, main, tuple(steps))


async def rewrite_cot(
    client: ChatClient, cot: str, language: str, override: str | None = None
) -> tuple[str, CotRewrite, Provenance | None]:
    """The chain rewritten by the model, then scrubbed of any reference it kept; when the
    call fails, the scrub alone (the answer is worth more than the polish)."""
    rendered = prompt("cot_rewrite", language, {"cot": cot}, override)
    try:
        completion = await ask_text(client, rendered)
    except ModelCallError:
        return scrub_source_mentions(cot), "regex", None
    rewritten = scrub_source_mentions(completion.text.strip())
    return (
        rewritten or scrub_source_mentions(cot),
        "model",
        provenance(client, rendered, completion),
    )


async def revise_answer(
    client: ChatClient,
    *,
    question: str,
    answer: str,
    chunk: str,
    advice: str,
    language: str,
    override: str | None = None,
) -> RevisedAnswer:
    """The answer rewritten to follow a reviewer's advice, still grounded in the chunk."""
    rendered = prompt(
        "answer_revise",
        language,
        {"question": question, "answer": answer, "advice": advice, "chunk": chunk},
        override,
    )
    completion = await ask_text(client, rendered)
    return RevisedAnswer(completion.text.strip(), provenance(client, rendered, completion))
