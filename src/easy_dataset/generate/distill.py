"""Distillation from a topic, with no documents: a tag tree grown level by level, and
questions about each of its leaves.

The tree is grown one level at a time, one call per node asking for that node's
sub-topics: a small model names a handful of things well where it would get a whole nested
tree wrong, and each call sees the path it narrows down. The nodes of a level are asked
concurrently (the client's limits pace them). A name that is already in the tree anywhere
(compared case-, space- and punctuation-blind) is dropped; a node left short is asked once
more for the missing names, told which names are taken, and keeps what it gets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, create_model, model_validator

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.dedup import distinct_indices, normalise
from easy_dataset.generate.hygiene import clean_question
from easy_dataset.generate.questions import heading_text
from easy_dataset.generate.results import Provenance, QuestionDraft, QuestionsResult, TagDraft
from easy_dataset.llm.types import ChatClient

MAX_DEPTH = 4
MAX_BREADTH = 10
NAME_CHARS = 80
QUESTION_CHARS = 400


def _name_item(value: Any) -> Any:
    # {"name": "…"} is a name too: models that build trees write nodes that way.
    return value.get("name") if isinstance(value, dict) else value


TopicName = Annotated[str, BeforeValidator(_name_item), Field(min_length=1, max_length=NAME_CHARS)]
QuestionText = Annotated[str, Field(min_length=1, max_length=QUESTION_CHARS)]


class _ListRoot(BaseModel):
    """A bare list stands for the one list the schema asks for."""

    @model_validator(mode="before")
    @classmethod
    def _wrap(cls, data: Any) -> Any:
        if isinstance(data, list):
            (key,) = cls.model_fields
            return {key: data}
        return data


def subtopics_schema(count: int) -> type[BaseModel]:
    """{"topics": [name]}: at least one; up to twice `count` accepted, the caller cuts."""
    return create_model(
        "SubTopics",
        __base__=_ListRoot,
        topics=(list[TopicName], Field(min_length=1, max_length=2 * count)),
    )


def distilled_questions_schema(count: int) -> type[BaseModel]:
    """{"questions": [text]}: at least one; up to twice `count` accepted, the caller cuts."""
    return create_model(
        "DistilledQuestions",
        __base__=_ListRoot,
        questions=(list[QuestionText], Field(min_length=1, max_length=2 * count)),
    )


@dataclass
class _Node:
    name: str
    path: tuple[str, ...]
    children: list[_Node] = field(default_factory=list)

    def draft(self) -> TagDraft:
        return TagDraft(self.name, tuple(child.draft() for child in self.children))


@dataclass(frozen=True)
class TopicTree:
    """The sub-topics under a topic (its root is the topic itself), what asked for them, and
    what growing them took."""

    children: tuple[TagDraft, ...]
    provenance: Provenance
    calls: int
    duplicates: int  # names dropped because the tree had them already
    short: int  # nodes left with fewer sub-topics than asked for

    def leaves(self) -> int:
        def count(nodes: Sequence[TagDraft]) -> int:
            return sum(count(node.children) if node.children else 1 for node in nodes)

        return count(self.children) if self.children else 1


Ask = Callable[[_Node, int, list[str]], Coroutine[Any, Any, list[str]]]


async def grow_topic_tree(
    client: ChatClient,
    *,
    topic: str,
    depth: int,
    breadth: int,
    language: str,
    description: str = "",
    override: str | None = None,
) -> TopicTree:
    """The topic's tree `depth` levels below it, `breadth` sub-topics per node (fewer where
    the model could not name enough distinct ones)."""
    if not 1 <= depth <= MAX_DEPTH or not 1 <= breadth <= MAX_BREADTH:
        raise ValueError(
            f"depth runs from 1 to {MAX_DEPTH} and breadth from 1 to {MAX_BREADTH}, "
            f"not {depth} and {breadth}"
        )
    topic = " ".join(topic.split())
    steps: list[Provenance] = []

    async def ask(node: _Node, count: int, existing: list[str]) -> list[str]:
        rendered = prompt(
            "distill_tags",
            language,
            {
                "topic": topic,
                "tag_path": heading_text(node.path),
                "count": count,
                "description": description,
                "existing": existing,
            },
            override,
        )
        reply: Any = await ask_json(client, rendered, subtopics_schema(count))
        steps.append(provenance(client, rendered, reply.completion))
        return [" ".join(str(name).split()) for name in reply.value.topics]

    root = _Node(topic, (topic,))
    seen = {normalise(topic)}
    duplicates = short = 0
    level = [root]
    for _ in range(depth):
        dropped = await _grow_level(level, breadth, seen, ask)
        duplicates += dropped
        short += sum(len(node.children) < breadth for node in level)
        level = [child for node in level for child in node.children]
        if not level:
            break
    return TopicTree(
        children=tuple(child.draft() for child in root.children),
        provenance=steps[0],
        calls=len(steps),
        duplicates=duplicates,
        short=short,
    )


async def _grow_level(level: list[_Node], breadth: int, seen: set[str], ask: Ask) -> int:
    """Give every node of a level its children; the names dropped as duplicates."""

    def siblings(node: _Node, of: list[_Node]) -> list[str]:
        return [other.name for other in of if other is not node]

    groups = _sibling_groups(level)
    first = await _gather([ask(node, breadth, siblings(node, groups[id(node)])) for node in level])
    dropped = 0
    rejected: dict[int, list[str]] = {}
    for node, names in zip(level, first, strict=True):
        lost = _adopt(node, names, breadth, seen)
        dropped += len(lost)
        rejected[id(node)] = lost
    missing = [node for node in level if len(node.children) < breadth]
    if missing:
        again = await _gather(
            [
                ask(
                    node,
                    breadth - len(node.children),
                    [child.name for child in node.children]
                    + rejected[id(node)]
                    + siblings(node, groups[id(node)]),
                )
                for node in missing
            ]
        )
        for node, names in zip(missing, again, strict=True):
            dropped += len(_adopt(node, names, breadth, seen))
    return dropped


def _sibling_groups(level: list[_Node]) -> dict[int, list[_Node]]:
    """Each node of a level with the nodes that share its parent (its path minus itself)."""
    by_parent: dict[tuple[str, ...], list[_Node]] = {}
    for node in level:
        by_parent.setdefault(node.path[:-1], []).append(node)
    return {id(node): by_parent[node.path[:-1]] for node in level}


def _adopt(node: _Node, names: list[str], breadth: int, seen: set[str]) -> list[str]:
    """Add the new names as children, up to `breadth`; the names dropped as duplicates."""
    lost: list[str] = []
    for name in names:
        if len(node.children) >= breadth:
            break
        key = normalise(name)
        if not key or key in seen:
            lost.append(name)
            continue
        seen.add(key)
        node.children.append(_Node(name, (*node.path, name)))
    return lost


async def _gather(calls: list[Coroutine[Any, Any, list[str]]]) -> list[list[str]]:
    """Every call's reply, in order; the first call that fails for good fails them all."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except ExceptionGroup as failed:
        raise failed.exceptions[0] from None  # the call's own error, as a single call raises
    return [task.result() for task in tasks]


async def distill_questions(
    client: ChatClient,
    *,
    topic: str,
    tag_path: Sequence[str],
    count: int,
    language: str,
    description: str = "",
    override: str | None = None,
) -> QuestionsResult:
    """At most `count` distinct questions about the leaf at the end of `tag_path`."""
    if count <= 0:
        raise ValueError("distill_questions needs a count of at least 1")
    rendered = prompt(
        "distill_questions",
        language,
        {
            "topic": topic,
            "tag_path": heading_text(tag_path),
            "count": count,
            "description": description,
        },
        override,
    )
    reply: Any = await ask_json(client, rendered, distilled_questions_schema(count))
    replied = [clean_question(text).text for text in reply.value.questions]
    texts = [text for text in replied if text]
    kept = [texts[index] for index in distinct_indices(texts)][:count]
    return QuestionsResult(
        questions=[QuestionDraft(text) for text in kept],
        dropped=len(replied) - len(kept),
        provenance=provenance(client, rendered, reply.completion),
    )
