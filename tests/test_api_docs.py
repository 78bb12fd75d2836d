"""The API docs page (/docs) is whole without a network: every file it loads is ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.api_support import api_client, ok

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.slow
def test_the_docs_page_loads_only_files_the_server_serves(home: Path) -> None:
    with api_client(home) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assets = ASSET.findall(page.text)
        assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= set(assets)
        for asset in assets:
            assert asset.startswith("/"), f"{asset} would be fetched from another site"
            answer = client.get(asset)
            assert answer.status_code == 200 and answer.content, asset
        script = client.get("/docs/assets/swagger-ui-bundle.js")
        assert "javascript" in script.headers["content-type"]
        assert "SwaggerUIBundle" in script.text
        # The page reads the schema the server describes itself with.
        assert "/openapi.json" in page.text
        assert ok(client.get("/openapi.json"))["openapi"].startswith("3.1")
        assert client.get("/redoc").status_code != 200  # ReDoc only ever came from a CDN
