"""Grounded answers with a chain of thought, and answers revised from a reviewer's advice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from easy_dataset.errors import ModelCallError
from easy_dataset.generate.calls import ask_text, prompt, provenance
from easy_dataset.generate.cot import mentions_source, scrub_source_mentions
from easy_dataset.generate.hygiene import clean_answer, clean_reasoning
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import (
    AnswerResult,
    CotRewrite,
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
    draft = await draft_answer(
        client,
        question=question,
        chunk=chunk,
        language=language,
        heading_path=heading_path,
        title=title,
        persona=persona,
        overrides=overrides,
    )
    return await finish_cot(
        client,
        draft,
        question=question,
        chunk=chunk,
        language=language,
        heading_path=heading_path,
        synthesize_cot=synthesize_cot,
        overrides=overrides,
    )


async def draft_answer(
    client: ChatClient,
    *,
    question: str,
    chunk: str,
    language: str,
    heading_path: Sequence[str] = (),
    title: str = "",
    persona: Persona | None = None,
    overrides: Mapping[str, str] | None = None,
    tag_path: Sequence[str] = (),
) -> AnswerResult:
    """The answer alone (one model call), with the model's own reasoning, if it gave any, as
    its chain of thought; `finish_cot` completes it. Voting drafts k answers, finishes one.

    With no chunk (a distilled question, or one written by hand without a chunk) the answer
    comes from the model's own knowledge (the `answer_open` prompt), told the subject the
    question's tag path names, if it has one."""
    if not chunk.strip():
        rendered = prompt(
            "answer_open",
            language,
            {
                "question": question,
                "persona": persona.to_dict() if persona else None,
                "tag_path": heading_text(tag_path),
            },
            (overrides or {}).get("answer_open"),
        )
    else:
        rendered = prompt(
            "answer",
            language,
            {
                "question": question,
                "chunk": chunk,
                "heading_path": heading_text(heading_path),
                "title": title,
                "persona": persona.to_dict() if persona else None,
            },
            (overrides or {}).get("answer"),
        )
    completion = await ask_text(client, rendered)
    main = provenance(client, rendered, completion)
    # Leaked tags, HTML wrappers and doubled spaces repaired where the text is made.
    cot = clean_reasoning(completion.reasoning or "").text
    return AnswerResult(
        clean_answer(completion.text).text,
        cot,
        "reasoning" if cot else "none",
        "none",
        main,
        (main,),
    )


async def finish_cot(
    client: ChatClient,
    draft: AnswerResult,
    *,
    question: str,
    chunk: str,
    language: str,
    heading_path: Sequence[str] = (),
    synthesize_cot: bool = True,
    overrides: Mapping[str, str] | None = None,
) -> AnswerResult:
    """A drafted answer's chain of thought: synthesised when the model gave none (if asked),
    then freed of "according to the text"."""
    overrides = overrides or {}
    cot, source, steps = draft.cot, draft.cot_source, list(draft.steps)
    if not cot and synthesize_cot:
        if not chunk.strip():  # no source: reasoning from what the model knows
            synth = prompt(
                "cot_open",
                language,
                {"question": question, "answer": draft.answer},
                overrides.get("cot_open"),
            )
        else:
            synth = prompt(
                "cot_synthesize",
                language,
                {
                    "question": question,
                    "answer": draft.answer,
                    "chunk": chunk,
                    "heading_path": heading_text(heading_path),
                },
                overrides.get("cot_synthesize"),
            )
        reply = await ask_text(client, synth)
        cot, source = clean_reasoning(reply.text).text, "synthesized"
        steps.append(provenance(client, synth, reply))
    rewrite: CotRewrite = "none"
    if cot and mentions_source(cot):
        cot, rewrite, step = await rewrite_cot(client, cot, language, overrides.get("cot_rewrite"))
        if step is not None:
            steps.append(step)
    return AnswerResult(
        draft.answer, cot, source, rewrite, draft.provenance, tuple(steps), draft.quotes
    )


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
    rewritten = scrub_source_mentions(clean_reasoning(completion.text).text)
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
    return RevisedAnswer(
        clean_answer(completion.text).text, provenance(client, rendered, completion)
    )
