"""`easy-dataset models ...`: a project's model endpoints and their API keys."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.table import Column, Table

from easy_dataset.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    escape,
    guarded,
    print_json,
    state,
)
from easy_dataset.errors import InputError
from easy_dataset.llm.types import ModelConfig, Provider, StructuredMode
from easy_dataset.services import models

app = typer.Typer(help="Configure the models a project calls.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="Configuration name.")]
DefaultNameArg = Annotated[str | None, typer.Argument(help="Configuration (default: the default).")]


def _headers(values: list[str] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values or []:
        name, sep, content = value.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--header takes NAME=VALUE, not {value!r}")
        headers[name.strip()] = content.strip()
    return headers


@app.command("add")
@guarded
def add(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOption,
    model: Annotated[str, typer.Option("--model", "-m", help="Model name at the endpoint.")],
    provider: Annotated[Provider, typer.Option("--provider", help="Preset.")] = "openai",
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Endpoint URL (default: the preset's).")
    ] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option(
            "--api-key-env",
            help="Environment variable that holds the API key; its name ends in API_KEY.",
        ),
    ] = None,
    api_key_stdin: Annotated[
        bool,
        typer.Option("--api-key-stdin", help="Read the API key from stdin and store it apart."),
    ] = False,
    temperature: Annotated[float | None, typer.Option("--temperature")] = None,
    top_p: Annotated[float | None, typer.Option("--top-p")] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 120.0,
    header: Annotated[
        list[str] | None, typer.Option("--header", help="Extra HTTP header NAME=VALUE; repeat.")
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Requests in flight at most.")
    ] = 4,
    rpm: Annotated[int | None, typer.Option("--rpm", help="Requests per minute.")] = None,
    tpm: Annotated[int | None, typer.Option("--tpm", help="Tokens per minute.")] = None,
    structured: Annotated[
        StructuredMode, typer.Option("--structured", help="How JSON replies are obtained.")
    ] = "auto",
    max_retries: Annotated[int, typer.Option("--max-retries")] = 6,
    validation_retries: Annotated[int, typer.Option("--validation-retries")] = 3,
    unreachable_after: Annotated[
        int,
        typer.Option(
            "--unreachable-after",
            help="Connection failures or timeouts in a row after which jobs pause.",
        ),
    ] = 10,
    continuations: Annotated[
        int,
        typer.Option("--continuations", help="Times a reply cut off at max tokens is continued."),
    ] = 2,
    default: Annotated[bool, typer.Option("--default", help="Make it the default.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a model configuration (the first one becomes the project's default)."""
    values: dict[str, Any] = {
        "name": name,
        "provider": provider,
        "base_url": base_url,
        "model": model,
        "api_key_env": api_key_env,
        "temperature": temperature,
        "top_p": top_p,
        "max_tokens": max_tokens,
        "timeout": timeout,
        "extra_headers": _headers(header),
        "concurrency": concurrency,
        "rpm": rpm,
        "tpm": tpm,
        "structured": structured,
        "max_retries": max_retries,
        "validation_retries": validation_retries,
        "unreachable_after": unreachable_after,
        "continuations": continuations,
    }
    config = models.parse_config(values)
    api_key = sys.stdin.readline().strip() if api_key_stdin else None
    view = models.add_model(
        state(ctx).app(), project, config, api_key=api_key, make_default=default
    )
    if as_json:
        print_json(view)
    else:
        mark = " (default)" if view.is_default else ""
        console.print(f"added model {escape(view.name)}{mark}: {escape(view.config.model)}")


@app.command("edit")
@guarded
def edit(
    ctx: typer.Context,
    name: NameArg,
    project: ProjectOption,
    rename: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="Model name at the endpoint.")
    ] = None,
    provider: Annotated[Provider | None, typer.Option("--provider", help="Preset.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Endpoint URL.")] = None,
    api_key_env: Annotated[
        str | None,
        typer.Option("--api-key-env", help="Variable holding the API key (ends in API_KEY)."),
    ] = None,
    api_key_stdin: Annotated[
        bool, typer.Option("--api-key-stdin", help="Read a new API key from stdin.")
    ] = False,
    clear_key: Annotated[
        bool, typer.Option("--clear-key", help="Remove the stored API key.")
    ] = False,
    temperature: Annotated[float | None, typer.Option("--temperature")] = None,
    top_p: Annotated[float | None, typer.Option("--top-p")] = None,
    max_tokens: Annotated[
        int | None, typer.Option("--max-tokens", help="Tokens per reply at most.")
    ] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds per request.")] = None,
    header: Annotated[
        list[str] | None,
        typer.Option("--header", help="Extra HTTP header NAME=VALUE; repeat; replaces them all."),
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", help="Requests in flight at most.")
    ] = None,
    rpm: Annotated[int | None, typer.Option("--rpm", help="Requests per minute.")] = None,
    tpm: Annotated[int | None, typer.Option("--tpm", help="Tokens per minute.")] = None,
    structured: Annotated[
        StructuredMode | None,
        typer.Option(
            "--structured",
            help="How JSON replies are obtained: auto, json_schema (constrained decoding: "
            "vLLM, llama.cpp, Ollama), json_object or prompt.",
        ),
    ] = None,
    max_retries: Annotated[int | None, typer.Option("--max-retries")] = None,
    validation_retries: Annotated[int | None, typer.Option("--validation-retries")] = None,
    unreachable_after: Annotated[
        int | None,
        typer.Option(
            "--unreachable-after",
            help="Connection failures or timeouts in a row after which jobs pause.",
        ),
    ] = None,
    continuations: Annotated[
        int | None,
        typer.Option("--continuations", help="Times a reply cut off at max tokens is continued."),
    ] = None,
    unset: Annotated[
        list[str] | None,
        typer.Option(
            "--unset",
            help="Clear a setting back to its default (e.g. temperature, max_tokens); repeat.",
        ),
    ] = None,
    default: Annotated[bool, typer.Option("--default", help="Make it the default.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Change settings of a configuration; the others and its stored API key are kept."""
    given: dict[str, Any] = {
        "name": rename,
        "model": model,
        "provider": provider,
        "base_url": base_url,
        "api_key_env": api_key_env,
        "temperature": temperature,
        "top_p": top_p,
        "max_tokens": max_tokens,
        "timeout": timeout,
        "extra_headers": _headers(header) if header else None,
        "concurrency": concurrency,
        "rpm": rpm,
        "tpm": tpm,
        "structured": structured,
        "max_retries": max_retries,
        "validation_retries": validation_retries,
        "unreachable_after": unreachable_after,
        "continuations": continuations,
    }
    changes: dict[str, object] = {key: value for key, value in given.items() if value is not None}
    for setting in unset or []:
        key = setting.strip().replace("-", "_")
        if key in changes:
            raise InputError(f"--unset {setting} and a new value for it: choose one")
        changes[key] = None
    api_key = sys.stdin.readline().strip() if api_key_stdin else None
    if not changes and api_key is None and not clear_key and not default:
        raise InputError("nothing to change; `easy-dataset models edit --help` lists the settings")
    view = models.update_model(
        state(ctx).app(),
        project,
        name,
        changes,
        api_key=api_key,
        clear_key=clear_key,
        make_default=default,
    )
    if as_json:
        print_json(view)
    else:
        config = view.config
        console.print(f"updated model {escape(view.name)}: {escape(_settings_line(config))}")


def _settings_line(config: ModelConfig) -> str:
    """The settings slow and local models need, in one line."""

    def shown(value: object) -> str:
        return "default" if value is None else str(value)

    return (
        f"{config.model} · max tokens {shown(config.max_tokens)} · timeout {config.timeout:g} s"
        f" · temperature {shown(config.temperature)} · top-p {shown(config.top_p)}"
        f" · structured {config.structured} · concurrency {config.concurrency}"
    )


@app.command("list")
@guarded
def list_(ctx: typer.Context, project: ProjectOption, as_json: JsonOption = False) -> None:
    """List the project's model configurations (keys are never shown)."""
    found = models.list_models(state(ctx).app(), project)
    if as_json:
        print_json(found)
        return
    if not found:
        console.print("no models configured: the embedded model is used")
        return
    # Names, models and key hints are what people read and copy: kept whole; the rest wrap.
    table = Table(
        "",
        Column("name", no_wrap=True),
        "provider",
        Column("model", no_wrap=True),
        Column("endpoint", overflow="fold"),
        Column("key", no_wrap=True),
        "concurrency",
        "timeout",
        "max tokens",
        "structured",
    )
    for view in found:
        key = view.key_hint or (f"${view.config.api_key_env}" if view.config.api_key_env else "")
        table.add_row(
            "*" if view.is_default else "",
            escape(view.name),
            view.config.provider,
            escape(view.config.model),
            escape(view.base_url or "in-process"),
            escape(key),
            str(view.config.concurrency),
            f"{view.config.timeout:g} s",
            str(view.config.max_tokens or "—"),
            view.config.structured,
        )
    console.print(table)
    for view in found:
        if view.problem is not None:
            console.print(
                f"{escape(view.name)} cannot be used: {escape(view.problem)}", style="red"
            )


@app.command("test")
@guarded
def test(
    ctx: typer.Context,
    project: ProjectOption,
    name: DefaultNameArg = None,
    as_json: JsonOption = False,
) -> None:
    """Send a tiny request and say whether the endpoint, key and model work."""
    report = models.test_model(state(ctx).app(), project, name)
    if as_json:
        print_json(report)
    elif report.ok:
        console.print(f"ok in {report.latency_ms} ms; reply: {escape(report.reply or '')!r}")
    else:
        console.print(f"[red]failed:[/] {escape(report.error or 'unknown error')}")
    if not report.ok:
        raise typer.Exit(1)


@app.command("available")
@guarded
def available(
    ctx: typer.Context,
    project: ProjectOption,
    name: DefaultNameArg = None,
    as_json: JsonOption = False,
) -> None:
    """List the models the configuration's endpoint offers."""
    names = models.endpoint_models(state(ctx).app(), project, name)
    if as_json:
        print_json(names)
    else:
        for item in names:
            console.print(escape(item))


@app.command("default")
@guarded
def default(
    ctx: typer.Context, name: NameArg, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Make a configuration the project's default."""
    view = models.set_default(state(ctx).app(), project, name)
    if as_json:
        print_json(view)
    else:
        console.print(f"{escape(view.name)} is now the default model")


@app.command("remove")
@guarded
def remove(
    ctx: typer.Context, name: NameArg, project: ProjectOption, as_json: JsonOption = False
) -> None:
    """Remove a configuration and its stored key."""
    view = models.remove_model(state(ctx).app(), project, name)
    if as_json:
        print_json(view)
    else:
        console.print(f"removed model {escape(view.name)}")
