"""`easy-dataset serve`: the web app and the REST API on one port."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from easy_dataset.cli.common import console, guarded, state
from easy_dataset.config import Settings

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
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another host name the server answers to (repeatable; beyond loopback and "
            "--host). Default: EASY_DATASET_ALLOWED_HOSTS.",
            show_default=False,
        ),
    ] = None,
    max_body_mb: Annotated[
        float | None,
        typer.Option(
            "--max-body-mb",
            help="Largest JSON request body in MB. Default: EASY_DATASET_MAX_BODY_MB, else 8.",
            show_default=False,
        ),
    ] = None,
    max_upload_mb: Annotated[
        float | None,
        typer.Option(
            "--max-upload-mb",
            help="Largest upload request (all its files) in MB, at least one file's limit. "
            "Default: EASY_DATASET_MAX_UPLOAD_MB, else 256.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the web app and the REST API (OpenAPI at /docs) until Ctrl-C."""
    # Here, not at the top: importing anything of the server loads all of it (FastAPI,
    # NiceGUI, every route), which every other command would pay for at start-up.
    import uvicorn

    from easy_dataset.server import create_app
    from easy_dataset.server.access import is_loopback, new_token

    cli = state(ctx)
    if token is not None and not _plain_token(token):
        # It travels in a header, a cookie and an address: odd characters would break one.
        raise typer.BadParameter(
            "use letters, digits and punctuation only (no spaces, ';', ',', quotes or backslashes)",
            param_hint="--token",
        )
    settings = Settings.load(
        home=cli.home,
        database_url=cli.database_url,
        max_file_mb=cli.max_file_mb,
        max_body_mb=max_body_mb,
        max_upload_mb=max_upload_mb,
        allowed_hosts=allow_host or None,  # none given: the environment variable decides
    )
    if token is None and not is_loopback(host):
        token = new_token()
    app = create_app(settings, token=token, bind_host=host)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown  # an IPv6 address in a URL
    address = f"http://{shown}:{port}/"
    console.print(f"easy-dataset on [bold]{address}[/]  (API docs: {address}docs)")
    console.print(f"data: {settings.home}", style="dim")
    if host in ("0.0.0.0", "::"):
        # Every interface says nothing of the names it is reached by (DNS rebinding).
        names = ", ".join(settings.allowed_hosts) or "none yet"
        console.print(
            f"answering to loopback names and: {names}; add this machine's names or "
            "addresses with --allow-host NAME"
        )
    if token is not None:
        console.print(
            f"listening beyond this machine: every request needs the access token.\n"
            f"open {address}?token={token} or send `Authorization: Bearer {token}`"
        )
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str(settings.home / ".nicegui"))
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _plain_token(token: str) -> bool:
    """Whether `token` is printable ASCII that needs no quoting in a cookie."""
    return bool(token) and all(33 <= ord(char) <= 126 and char not in ';,"\\' for char in token)
