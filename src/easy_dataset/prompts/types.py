"""What the prompt library hands out: descriptions of prompts and rendered messages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class VariableInfo(BaseModel):
    """One variable a prompt takes, as documented in its template's header."""

    name: str
    required: bool
    default: Any = None
    description: str


class PromptInfo(BaseModel):
    """A built-in prompt: its task name, languages, version and variables."""

    name: str
    languages: list[str]
    version: int
    description: str
    output: str
    variables: list[VariableInfo]


class RenderedPrompt(BaseModel):
    """Messages ready for a chat model, and what produced them (for provenance)."""

    name: str
    language: str
    # "3" for the built-in template, "3+override.<hash>" for a project's own version of it.
    version: str
    overridden: bool
    messages: list[dict[str, str]]
