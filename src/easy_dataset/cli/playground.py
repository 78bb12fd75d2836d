"""`easy-dataset playground`: one prompt to up to three models, their answers as they come.

One model streams straight to the terminal. Several stream into panels side by side while
the output is a terminal; piped or redirected, each model's answer is printed as a section
once it is complete, so that the text stays in one piece. A line per model follows with its
tokens, latency and speed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.columns import Columns
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.services.app import App
from easy_dataset.services.evaluation.playground import (
    PlaygroundPlan,
    PlaygroundResult,
    plan_playground,
    stream_plan,
)


@guarded
def playground(
    ctx: typer.Context,
    prompt: Annotated[str, typer.Argument(help="What to ask the models.", show_default=False)],
    project: ProjectOption,
    model: Annotated[
        list[str],
        typer.Option(
            "--model", "-m", help="A model configuration's name; up to 3.", show_default=False
        ),
    ],
    system: Annotated[str | None, typer.Option("--system", help="A system prompt.")] = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", min=0, max=2, help="Sampling temperature.")
    ] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", min=1, help="The longest answer, in tokens.")
    ] = None,
    top_p: Annotated[float | None, typer.Option("--top-p", min=0, max=1, help="Top-p.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Send one prompt to one to three models at once and watch their answers arrive."""
    app = state(ctx).app()
    plan = plan_playground(
        app,
        project,
        prompt,
        models=model,
        system=system,
        temperature=temperature,
        max_tokens=max_tokens,
        top_p=top_p,
    )
    if as_json:
        results = asyncio.run(_collect(app, plan, None))
        print_json(results)
    elif len(plan.models) == 1:
        results = asyncio.run(_collect(app, plan, _write_piece))
    elif console.is_terminal:
        results = asyncio.run(_side_by_side(app, plan))
    else:
        results = asyncio.run(_sections(app, plan))
    if not as_json:
        console.print()
        for result in results:
            console.print(summary_line(result), soft_wrap=True)
    if any(result.error is not None for result in results):
        raise typer.Exit(1)


def summary_line(result: PlaygroundResult) -> str:
    """`name: tokens, latency, speed` (or the error), as Rich markup."""
    name = f"[bold]{escape(result.model)}[/]"
    if result.error is not None:
        return f"{name}: [red]failed[/] ({escape(result.error_kind or '')}): {escape(result.error)}"
    about = "~" if result.usage_estimated else ""
    parts = [
        f"{about}{result.completion_tokens} tokens ({about}{result.prompt_tokens} in the prompt)",
        f"{result.latency_ms} ms"
        + (f" (first token {result.first_token_ms} ms)" if result.first_token_ms else ""),
    ]
    if result.tokens_per_second is not None:
        parts.append(f"{result.tokens_per_second:g} tokens/s")
    return f"{name}: " + ", ".join(parts)


def _write_piece(kind: str, text: str) -> None:
    if kind == "reasoning":
        console.print(Text(text, style="dim"), end="")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


async def _collect(
    app: App, plan: PlaygroundPlan, on_piece: Callable[[str, str], None] | None
) -> list[PlaygroundResult]:
    """Every model's result in the plan's order, each piece handed to `on_piece` as it comes."""
    results: dict[str, PlaygroundResult] = {}
    async for event in stream_plan(app, plan):
        if event.result is not None:
            results[event.model] = event.result
        elif on_piece is not None:
            on_piece(event.kind, event.text)
    return [results[name] for name, _ in plan.models]


async def _sections(app: App, plan: PlaygroundPlan) -> list[PlaygroundResult]:
    """Each model's answer printed whole, under its name, as soon as it is complete."""
    results: dict[str, PlaygroundResult] = {}
    async for event in stream_plan(app, plan):
        if event.result is None:
            continue
        results[event.model] = event.result
        console.rule(escape(event.model))
        if event.result.error is None:
            console.print(escape(event.result.text), soft_wrap=True)
        else:
            console.print(f"[red]error:[/] {escape(event.result.error)}", soft_wrap=True)
    return [results[name] for name, _ in plan.models]


async def _side_by_side(app: App, plan: PlaygroundPlan) -> list[PlaygroundResult]:
    """Panels side by side that fill as the pieces come (a terminal only)."""
    texts = {name: Text() for name, _ in plan.models}
    results: dict[str, PlaygroundResult] = {}

    def panels() -> Columns:
        width = max(20, console.width // len(texts) - 2)
        return Columns(
            [
                Panel(text, title=escape(name), width=width, border_style=_border(results, name))
                for name, text in texts.items()
            ]
        )

    with Live(panels(), console=console, refresh_per_second=8) as live:
        async for event in stream_plan(app, plan):
            if event.result is not None:
                results[event.model] = event.result
                if event.result.error is not None:
                    texts[event.model].append(f"\nerror: {event.result.error}", style="red")
            else:
                style = "dim" if event.kind == "reasoning" else ""
                texts[event.model].append(event.text, style=style)
            live.update(panels())
    return [results[name] for name, _ in plan.models]


def _border(results: dict[str, PlaygroundResult], name: str) -> str:
    result = results.get(name)
    if result is None:
        return "blue"
    return "red" if result.error is not None else "green"
