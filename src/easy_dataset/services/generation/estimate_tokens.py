"""Model calls and tokens of the generation job types, for the estimate shown before a
job starts (registered in `job_support.token_registry.TOKEN_ESTIMATORS` when the
generation package is imported)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from easy_dataset.generate import outline_text, question_count
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.tags import MAX_TOP, tree_json
from easy_dataset.llm.tokens import estimate_tokens
from easy_dataset.services.generation import (
    answer_jobs,
    persona_jobs,
    tag_jobs,
)
from easy_dataset.services.job_support.common import parse_key
from easy_dataset.services.job_support.token_registry import EstimateInput, Figures, token_estimator
from easy_dataset.store.dataset import Question, QuestionTemplate
from easy_dataset.store.models import Chunk, SourceFile

# Completion sizes (tokens), as the usage log has nothing finer to go by: a question in a
# JSON list, an answer, a chain of thought, a persona (genre, audience, two descriptions),
# a tag name in the tree, a label.
QUESTION_TOKENS = 30
LIST_OVERHEAD = 10
ANSWER_TOKENS = 250
COT_TOKENS = 250
PERSONA_TOKENS = 80
TAG_TOKENS = 12
TAGS_PER_PARENT = 4
LABEL_TOKENS = 5
JSON_ANSWER_TOKENS = 120


@token_estimator("questions.generate")
def questions(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per item (a chunk, once per persona): the chunk in, a list of questions out."""
    chunk_ids = sorted({parse_key(key)["c"] for key in keys})
    with given.app.db.session() as session:
        rows = {
            chunk_id: (content, headings, title)
            for chunk_id, content, headings, title in session.execute(
                select(Chunk.id, Chunk.content, Chunk.heading_path, SourceFile.name)
                .join(SourceFile, SourceFile.id == Chunk.file_id)
                .where(Chunk.id.in_(chunk_ids))
            )
        }
    prompt = completion = 0
    for key in keys:
        content, headings, title = rows.get(parse_key(key)["c"], ("", [], ""))
        language = given.language(content)
        prompt += given.overhead("questions", language, {"chunk": "", "count": 1})
        prompt += estimate_tokens(content)
        prompt += estimate_tokens(heading_text([str(h) for h in headings]) + (title or ""))
        completion += LIST_OVERHEAD + QUESTION_TOKENS * question_count(len(content), given.settings)
    return Figures(len(keys), prompt, completion)


@token_estimator("answers.generate")
def answers(given: EstimateInput, keys: list[str]) -> Figures:
    """k drafts per question (consistency voting) and one chain of thought each (when the
    model gives none); a question without a chunk is answered without context."""
    question_ids = sorted(parse_key(key)["q"] for key in keys)
    with given.app.db.session() as session:
        rows = {
            question_id: (text, content or "")
            for question_id, text, content in session.execute(
                select(Question.id, Question.text, Chunk.content)
                .outerjoin(Chunk, Chunk.id == Question.chunk_id)
                .where(Question.id.in_(question_ids))
            )
        }
    drafts = int(given.params.get("votes") or 1)
    cot = bool(given.params.get("synthesize_cot", True))
    figures = Figures(0, 0, 0)
    for question_id in question_ids:
        text, content = rows.get(question_id, ("", ""))
        language = given.language(content or text)
        asked = estimate_tokens(text) + estimate_tokens(content)
        if content:
            template = "answer_cited" if given.params.get("citations") else "answer"
            answer = given.overhead(template, language, {"question": "", "chunk": ""})
            reason = given.overhead(
                "cot_synthesize", language, {"question": "", "answer": "", "chunk": ""}
            )
        else:
            figures.without_context += 1
            answer = given.overhead("answer_open", language, {"question": ""})
            reason = given.overhead("cot_open", language, {"question": "", "answer": ""})
        figures.calls += drafts
        figures.prompt += drafts * (answer + asked)
        figures.completion += drafts * ANSWER_TOKENS
        if cot:
            figures.calls += 1
            figures.prompt += reason + asked + ANSWER_TOKENS
            figures.completion += COT_TOKENS
    # Counted as the job counts them: generated questions whose chunk is gone are left out.
    figures.skipped_no_chunk = answer_jobs.answer_scope(
        given.app, given.project_id, given.params
    ).skipped_no_chunk
    return figures


@token_estimator("personas.generate")
def personas(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per file: its title, outline and opening text in, `count` personas out."""
    count = int(given.params.get("count") or persona_jobs.PAIRS_PER_FILE)
    values = {"title": "", "outline": "", "excerpt": "", "count": count}
    prompt = 0
    with given.app.db.session() as session:
        for key in keys:
            row = session.get(SourceFile, parse_key(key)["f"])
            if row is None:
                continue
            excerpt = persona_jobs.file_excerpt(session, row.id)
            outline = outline_text(row.name, row.outline)
            prompt += given.overhead("ga_pairs", given.language(excerpt or row.name), values)
            prompt += estimate_tokens(row.name) + estimate_tokens(outline)
            prompt += estimate_tokens(excerpt[: persona_jobs.EXCERPT_CHARS])
    return Figures(len(keys), prompt, len(keys) * (LIST_OVERHEAD + count * PERSONA_TOKENS))


@token_estimator("tags.build")
def tags(given: EstimateInput, keys: list[str]) -> Figures:
    """One call for the project: every file's outline in (with the current tree when it is
    revised rather than rebuilt), a tree `tag_levels` deep out."""
    if not keys:
        return Figures(0, 0, 0)
    levels = given.settings.tag_levels
    with given.app.db.session() as session:
        outlines = "\n".join(
            outline_text(row.name, row.outline)
            for row in tag_jobs.file_rows(session, given.project_id)
        )
        tree = tag_jobs.current_tree(session, given.project_id)
    language = given.language(outlines)
    if not tree or given.params.get("rebuild"):
        values: dict[str, Any] = {"outlines": "", "levels": levels, "max_top": MAX_TOP}
        prompt = given.overhead("tag_tree", language, values) + estimate_tokens(outlines)
    else:
        values = {"tree": "", "added": "", "removed": "", "remaining": ""}
        values |= {"levels": levels, "max_top": MAX_TOP}
        prompt = given.overhead("tag_revise", language, values)
        prompt += estimate_tokens(outlines) + estimate_tokens(tree_json(tree))
    tags_out = sum(MAX_TOP * TAGS_PER_PARENT**level for level in range(levels))
    return Figures(1, prompt, LIST_OVERHEAD + TAG_TOKENS * tags_out)


@token_estimator("templates.apply")
def templates(given: EstimateInput, keys: list[str]) -> Figures:
    """One call per template and chunk (a label the model misses gets one more): the
    question and the chunk in, an answer of the template's type out."""
    parts = [parse_key(key) for key in keys]
    with given.app.db.session() as session:
        asked = {
            row.id: row
            for row in session.scalars(
                select(QuestionTemplate).where(
                    QuestionTemplate.id.in_(sorted({part["t"] for part in parts}))
                )
            )
        }
        chunks = {
            chunk_id: content
            for chunk_id, content in session.execute(
                select(Chunk.id, Chunk.content).where(
                    Chunk.id.in_(sorted({part["c"] for part in parts}))
                )
            )
        }
    prompt = completion = 0
    for part in parts:
        template, content = asked.get(part["t"]), chunks.get(part["c"], "")
        if template is None:
            continue
        kind = template.answer_type
        language = given.language(content)
        values: dict[str, Any] = {"question": "", "chunk": "", "answer_type": kind}
        values |= {"labels": None, "json_schema": None}
        prompt += given.overhead("template_answer", language, values, variant=kind)
        prompt += estimate_tokens(template.question) + estimate_tokens(content)
        prompt += estimate_tokens(" ".join(str(label) for label in template.labels))
        if template.json_schema is not None:
            prompt += estimate_tokens(str(template.json_schema))
        completion += {"label": LABEL_TOKENS, "json": JSON_ANSWER_TOKENS}.get(kind, ANSWER_TOKENS)
    return Figures(len(keys), prompt, completion)
