"""Prompt templates: one file per task and language, overridable per project."""

# Template format (templates/<task>.<language>.j2): a Jinja2 comment header with
# `version:`, `description:`, `output:` and `variables:` (one indented `name: meaning` line
# each), then exactly two blocks, `{% block system %}` and `{% block user %}`, which become
# the system and user messages. Templates render in an immutable sandbox with
# StrictUndefined; optional variables arrive as their default (usually None or "").

from easy_dataset.prompts.language import LANGUAGES, Language, detect_language
from easy_dataset.prompts.library import (
    check_language,
    default_template,
    list_prompts,
    prompt_info,
)
from easy_dataset.prompts.render import override_version, render, validate_template
from easy_dataset.prompts.types import PromptInfo, RenderedPrompt, VariableInfo

__all__ = [
    "LANGUAGES",
    "Language",
    "PromptInfo",
    "RenderedPrompt",
    "VariableInfo",
    "check_language",
    "default_template",
    "detect_language",
    "list_prompts",
    "override_version",
    "prompt_info",
    "render",
    "validate_template",
]
