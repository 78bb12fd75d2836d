"""The built-in templates: finding them, reading their headers, listing what exists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from easy_dataset.errors import NotFoundError
from easy_dataset.prompts.language import LANGUAGES
from easy_dataset.prompts.specs import TASKS, TaskSpec
from easy_dataset.prompts.types import PromptInfo, VariableInfo

_HEADER = re.compile(r"\A\{#-?\s*\n(.*?)\n\s*-?#\}", re.DOTALL)
_FIELD = re.compile(r"^(\w+):\s*(.*)$")


@dataclass(frozen=True)
class Header:
    """The documentation comment at the top of a template file."""

    version: int
    description: str
    output: str
    variables: dict[str, str]


def task(name: str) -> TaskSpec:
    """The task called `name`, or NotFoundError listing the tasks there are."""
    spec = TASKS.get(name)
    if spec is None:
        raise NotFoundError(
            f"no prompt {name!r}; the prompts are: {', '.join(sorted(TASKS))}", subject="prompt"
        )
    return spec


def check_language(language: str) -> str:
    """The language if prompts ship in it, else NotFoundError listing those that do."""
    if language not in LANGUAGES:
        raise NotFoundError(
            f"no prompt language {language!r}; the languages are: {', '.join(LANGUAGES)}"
        )
    return language


@cache
def _read(filename: str) -> str | None:
    path = resources.files(__package__).joinpath("templates", filename)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def source(name: str, language: str) -> tuple[str, str]:
    """The built-in template text for a task and language, and the language it is really in.

    Chinese falls back to English only when a task has no Chinese file.
    """
    task(name)
    check_language(language)
    for candidate in dict.fromkeys((language, "en")):
        text = _read(f"{name}.{candidate}.j2")
        if text is not None:
            return text, candidate
    raise NotFoundError(f"the template file for prompt {name!r} is missing; reinstall the package")


def default_template(name: str, language: str) -> str:
    """The raw text of the built-in template (header included)."""
    return source(name, language)[0]


def parse_header(text: str) -> Header:
    """Version, description, output and variables from a template's leading comment."""
    match = _HEADER.match(text)
    if match is None:
        raise ValueError("a template must start with a {# ... #} header")
    fields: dict[str, str] = {}
    variables: dict[str, str] = {}
    current: str | None = None  # the variable a continuation line belongs to
    for line in match.group(1).splitlines():
        if not line.strip():
            continue
        if line.startswith("  ") and "variables" in fields:
            item = _FIELD.match(line.strip())
            if item and not line.startswith("    "):
                current = item.group(1)
                variables[current] = item.group(2)
            elif current is not None:
                variables[current] += " " + line.strip()
            continue
        item = _FIELD.match(line)
        if item is None:
            raise ValueError(f"cannot read header line {line.strip()!r}")
        fields[item.group(1)] = item.group(2)
    return Header(
        version=int(fields["version"]),
        description=fields.get("description", ""),
        output=fields.get("output", ""),
        variables=variables,
    )


@cache
def header(name: str, language: str) -> Header:
    return parse_header(source(name, language)[0])


def prompt_info(name: str, language: str = "en") -> PromptInfo:
    """One built-in prompt, described in `language`; NotFoundError if there is no such prompt."""
    spec = task(name)
    main = header(name, source(name, language)[1])
    languages: list[str] = [lang for lang in LANGUAGES if _read(f"{name}.{lang}.j2") is not None]
    return PromptInfo(
        name=name,
        languages=languages,
        version=main.version,
        description=main.description,
        output=main.output,
        variables=[
            VariableInfo(
                name=variable.name,
                required=variable.required,
                default=variable.default,
                description=main.variables.get(variable.name, ""),
            )
            for variable in spec.variables
        ],
    )


def list_prompts() -> list[PromptInfo]:
    """Every built-in prompt, by name."""
    return [prompt_info(name) for name in sorted(TASKS)]
