"""The database response cache: a repeated request (a resumed run) costs no second call."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import App, models, projects
from tests.fake_openai import FakeOpenAI


def test_repeated_request_is_served_from_the_database(app: App) -> None:
    projects.create_project(app, "p")
    messages = [{"role": "user", "content": "Write an answer about hive weights."}]
    with FakeOpenAI() as fake:
        config = ModelConfig(name="f", provider="custom", base_url=fake.base_url, model="m")
        models.add_model(app, "p", config)
        resolved = models.resolve_model(app, "p")

        async def ask() -> tuple[str, bool]:
            client = models.open_model(app, resolved, use_cache=True)
            try:
                completion = await client.chat(messages)
            finally:
                await client.aclose()
            return completion.text, completion.cached

        first = asyncio.run(ask())
        second = asyncio.run(ask())  # a new client, as after a restart
        served = fake.stats().total
    assert first == (first[0], False) and second == (first[0], True)
    assert served == 1
    app.usage_recorder.flush()
    with app.db.engine.connect() as connection:
        cached = connection.execute(text("SELECT cached FROM llm_calls ORDER BY id")).scalars()
        assert list(cached) == [0, 1]
        assert connection.execute(text("SELECT count(*) FROM llm_cache")).scalar() == 1
