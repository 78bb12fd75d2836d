"""`easy-dataset serve`: the web app and the REST API on one port."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from easy_dataset.cli.common import console, guarded, state
from easy_dataset.config import Settings
from easy_dataset.server.access import is_loopback, new_token

DEFAULT_PORT = 1717


@guarded
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535)] = DEFAULT_PORT,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="EASY_DATASET_TOKEN",
            help="Access token (required off loopback; one is made up when not given).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the web app and the REST API (OpenAPI at /docs) until Ctrl-C."""
    import uvicorn

    from easy_dataset.server import create_app

    cli = state(ctx)
    settings = Settings.load(
        home=cli.home, database_url=cli.database_url, max_file_mb=cli.max_file_mb
    )
    if token is None and not is_loopback(host):
        token = new_token()
    app = create_app(settings, token=token)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown}:{port}/"
    console.print(f"easy-dataset on [bold]{address}[/]  (API docs: {address}docs)")
    console.print(f"data: {settings.home}", style="dim")
    if token is not None:
        console.print(
            f"listening beyond this machine: every request needs the access token.\n"
            f"open {address}?token={token} or send `Authorization: Bearer {token}`"
        )
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(settings.home / ".nicegui"))
    uvicorn.run(app, host=host, port=port, log_level="warning")
