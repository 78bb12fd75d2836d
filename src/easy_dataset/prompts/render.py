"""Rendering templates into chat messages, in a sandbox, and checking overrides before use."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, UndefinedError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from easy_dataset.errors import InputError
from easy_dataset.prompts.library import check_language, header, source, task
from easy_dataset.prompts.types import RenderedPrompt

PARTS = ("system", "user")
MAX_TEMPLATE_CHARS = 100_000

# `"x" * 10**9` would build a gigabyte before anything could stop it: bound it up front.
MAX_PRODUCT = 1_000_000


class _PromptSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, plus a bound on the sizes `*` and `**` can produce."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("exponents above 64 are not allowed in a prompt")
        sized, count = (left, right) if isinstance(right, int) else (right, left)
        if (
            operator == "*"
            and isinstance(sized, str | list | tuple)
            and isinstance(count, int)
            and len(sized) * count > MAX_PRODUCT
        ):
            raise SecurityError(f"repeating a value past {MAX_PRODUCT} characters is not allowed")
        return super().call_binop(context, operator, left, right)


# Overrides come from users (and get copied from anywhere), so they are untrusted: the
# immutable sandbox refuses private attributes and mutating the values we pass in, and
# StrictUndefined turns a misspelt variable into an error instead of a silently empty prompt.
_ENV = _PromptSandbox(
    undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
)


class _TemplateProblem(Exception):
    """A problem found in a template's text, with the line it is on."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{' '.join(self.message.split()).rstrip('.')}"


def _walk(node: nodes.Node) -> Iterator[nodes.Node]:
    """Every node, children first, so `x.__class__.__mro__` is reported at `__class__`."""
    for child in node.iter_child_nodes():
        yield from _walk(child)
    yield node


def _check_structure(tree: nodes.Template) -> None:
    """Only the system and user blocks (and blank space) may sit at the top level."""
    found: set[str] = set()
    stray: nodes.Node | None = None
    for node in tree.body:
        if isinstance(node, nodes.Block):
            if node.name not in PARTS:
                raise _TemplateProblem(
                    node.lineno, f"unknown part {node.name!r}; use only the system and user blocks"
                )
            found.add(node.name)
        elif stray is None and not (
            isinstance(node, nodes.Output)
            and all(
                isinstance(item, nodes.TemplateData) and not item.data.strip()
                for item in node.nodes
            )
        ):
            stray = node
    missing = [part for part in PARTS if part not in found]
    if missing:
        raise _TemplateProblem(
            None,
            f"the template lacks {' and '.join(f'{{% block {part} %}}' for part in missing)}; "
            "a prompt needs both a system and a user part",
        )
    if stray is not None:
        raise _TemplateProblem(
            stray.lineno,
            "everything must be inside {% block system %} or {% block user %} (text outside "
            "them would be lost)",
        )


def _check_names(name: str, tree: nodes.Template) -> None:
    """Refuse private attributes (sandbox escapes) and variables the task does not provide."""
    for node in _walk(tree):
        key = None
        if isinstance(node, nodes.Getattr):
            key = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            key = node.arg.value
        if isinstance(key, str) and key.startswith("_"):
            raise _TemplateProblem(node.lineno, f"attribute {key!r} is not allowed in a prompt")
    allowed = task(name).names
    unknown = meta.find_undeclared_variables(tree) - allowed
    if unknown:
        first = min(
            (node for node in _walk(tree) if isinstance(node, nodes.Name) and node.name in unknown),
            key=lambda node: node.lineno,
        )
        raise _TemplateProblem(
            first.lineno,
            f"unknown variable {first.name!r}; prompt {name!r} takes: {', '.join(sorted(allowed))}",
        )


def _runtime_line(template: Template, exc: BaseException) -> int | None:
    """The template line a rendering error happened on, from the compiled code's traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return line


def _render_parts(template: Template, values: Mapping[str, Any]) -> dict[str, str]:
    context = template.new_context(dict(values))
    try:
        return {part: "".join(template.blocks[part](context)).strip() for part in PARTS}
    except Exception as exc:  # a template can raise anything (1/0, a bad filter argument...)
        message = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, UndefinedError):
            message += " (optional variables may be empty: guard them with {% if name %})"
        raise _TemplateProblem(_runtime_line(template, exc), message) from None


def _compile(name: str, text: str) -> Template:
    """Parse and check a template, then render it with every sample the task has."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise _TemplateProblem(None, f"the template is over {MAX_TEMPLATE_CHARS} characters")
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        raise _TemplateProblem(exc.lineno, exc.message or "syntax error") from None
    _check_structure(tree)
    _check_names(name, tree)
    template = _ENV.from_string(tree)
    spec = task(name)
    for sample in (*spec.samples, spec.minimal_sample()):
        parts = _render_parts(template, spec.with_defaults(sample))
        for part, content in parts.items():
            if not content:
                raise _TemplateProblem(None, f"the {part} part renders empty")
    return template


@lru_cache(maxsize=64)
def _override_template(name: str, text: str) -> Template:
    # Cached by text: a job renders one override thousands of times.
    try:
        return _compile(name, text)
    except _TemplateProblem as problem:
        raise InputError(
            f"the override of prompt {name!r} is invalid: {problem.describe()}; fix the "
            "override or remove it",
            subject="invalid_override",
        ) from None


@cache
def _default_template(name: str, language: str) -> Template:
    return _compile(name, source(name, language)[0])


def validate_template(name: str, text: str) -> None:
    """Raise InputError, naming the line, if `text` is not a usable template for `name`."""
    task(name)
    try:
        _compile(name, text)
    except _TemplateProblem as problem:
        raise InputError(f"template for prompt {name!r} refused: {problem.describe()}") from None


def override_version(version: int, text: str) -> str:
    """The version an override reports: the default's plus a hash of the override's text."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{version}+override.{digest}"


def _checked_values(name: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    spec = task(name)
    extra = sorted(set(variables) - spec.names)
    if extra:
        raise InputError(
            f"prompt {name!r} takes no variable {', '.join(extra)}; it takes: "
            f"{', '.join(sorted(spec.names))}"
        )
    missing = [v.name for v in spec.variables if v.required and v.name not in variables]
    if missing:
        raise InputError(f"prompt {name!r} needs the variable(s) {', '.join(missing)}")
    return spec.with_defaults(dict(variables))


def render(
    name: str, language: str, variables: Mapping[str, Any], *, override: str | None = None
) -> RenderedPrompt:
    """System and user messages for a task, from the built-in template or a project's own."""
    values = _checked_values(name, variables)
    check_language(language)
    used = source(name, language)[1]
    version = header(name, used).version
    if override is None:
        template = _default_template(name, used)
        label, version_text = "built-in template", str(version)
    else:
        template = _override_template(name, override)
        label, version_text, used = "override", override_version(version, override), language
    try:
        parts = _render_parts(template, values)
    except _TemplateProblem as problem:
        raise InputError(
            f"prompt {name!r} ({used}, {label}) failed to render: {problem.describe()}"
        ) from None
    return RenderedPrompt(
        name=name,
        language=used,
        version=version_text,
        overridden=override is not None,
        messages=[
            {"role": "system", "content": parts["system"]},
            {"role": "user", "content": parts["user"]},
        ],
    )
