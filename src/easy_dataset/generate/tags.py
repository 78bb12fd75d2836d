"""The domain tag tree: built from document outlines, or revised when documents change."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from easy_dataset.generate.calls import ask_json, prompt, provenance
from easy_dataset.generate.results import TagDraft, TagTreeResult
from easy_dataset.generate.schemas import tag_tree_schema
from easy_dataset.llm.types import ChatClient

MAX_TOP = 10


def _drafts(nodes: Iterable[Any], depth: int, levels: int) -> list[TagDraft]:
    """Model nodes as drafts: names tidied, siblings with the same name merged."""
    merged: dict[str, tuple[str, list[Any]]] = {}
    for node in nodes:
        data = node.model_dump() if isinstance(node, BaseModel) else node
        name = " ".join(str(data.get("name", "")).split())
        if not name:
            continue
        key = name.casefold()
        children = list(data.get("children") or []) if depth < levels else []
        if key in merged:
            merged[key][1].extend(children)
        else:
            merged[key] = (name, children)
    return [
        TagDraft(name, tuple(_drafts(children, depth + 1, levels)))
        for name, children in merged.values()
    ]


def tree_json(tree: Sequence[TagDraft]) -> str:
    return json.dumps([node.to_dict() for node in tree], ensure_ascii=False)


async def build_tag_tree(
    client: ChatClient,
    outlines: Sequence[str],
    *,
    language: str,
    levels: int = 2,
    max_top: int = MAX_TOP,
    override: str | None = None,
) -> TagTreeResult:
    """A new tree, `levels` deep, from the outlines (Markdown headings) of the documents."""
    rendered = prompt(
        "tag_tree",
        language,
        {"outlines": "\n\n".join(outlines), "levels": levels, "max_top": max_top},
        override,
    )
    reply = await ask_json(client, rendered, tag_tree_schema(levels, max_top))
    tags = _drafts(getattr(reply.value, "tags"), 1, levels)  # noqa: B009 (dynamic model)
    return TagTreeResult(tags, provenance(client, rendered, reply.completion))


async def revise_tag_tree(
    client: ChatClient,
    tree: Sequence[TagDraft],
    *,
    added: Sequence[str] = (),
    removed: Sequence[str] = (),
    remaining: Sequence[str] = (),
    language: str,
    levels: int = 2,
    max_top: int = MAX_TOP,
    override: str | None = None,
) -> TagTreeResult:
    """The tree revised for documents added and removed, given those that remain."""
    rendered = prompt(
        "tag_revise",
        language,
        {
            "tree": tree_json(tree),
            "added": "\n\n".join(added),
            "removed": "\n\n".join(removed),
            "remaining": "\n\n".join(remaining),
            "levels": levels,
            "max_top": max_top,
        },
        override,
    )
    reply = await ask_json(client, rendered, tag_tree_schema(levels, max_top))
    tags = _drafts(getattr(reply.value, "tags"), 1, levels)  # noqa: B009 (dynamic model)
    return TagTreeResult(tags, provenance(client, rendered, reply.completion))
