"""End to end with the embedded model (no configuration: the project falls back to it):
a dialogue about one small chunk, exported as ShareGPT and as messages. Structure only,
never content."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.helpers import write

TEXT = """# Honey bees

Honey bees live in colonies. Worker bees collect nectar from flowers and turn it into
honey, which the colony eats during the winter.
"""
MIN_TURNS, MAX_TURNS = 1, 2


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _spoken(turns: list[tuple[str, str]]) -> list[str]:
    """The texts of a record's turns once they are checked to be an optional system turn,
    then user/assistant exchanges within the bounds, every text non-empty."""
    roles = [role for role, _ in turns]
    if roles and roles[0] == "system":
        turns, roles = turns[1:], roles[1:]
    exchanges = len(roles) // 2
    assert roles == ["user", "assistant"] * exchanges, roles
    assert MIN_TURNS <= exchanges <= MAX_TURNS, roles
    texts = [text for _, text in turns]
    assert all(isinstance(text, str) and text.strip() for text in texts), texts
    return texts


@pytest.mark.embedded
def test_dialogue_with_the_embedded_model(cli: Cli, tmp_path: Path) -> None:
    cli.json("project", "create", "local")
    cli.json("files", "add", str(write(tmp_path / "bees.md", TEXT)), "-p", "local")
    done = cli.json(
        "dialogues", "generate", "-p", "local",
        "--min-turns", str(MIN_TURNS), "--max-turns", str(MAX_TURNS),
    )  # fmt: skip
    # On failure the job's failures carry the model's raw replies.
    assert (done["status"], done["total"], done["succeeded"]) == ("succeeded", 1, 1), cli.json(
        "jobs", "show", str(done["job_id"])
    )

    [sample] = cli.json("qa", "list", "-p", "local")
    source = sample["provenance"]
    assert source["model"] and (source["prompt"], source["version"]) == ("dialogue", "1")
    [chunk] = cli.json("chunks", "list", "-p", "local")["items"]
    assert source["chunk"] == sample["chunk_id"] == chunk["id"] and source["file"] == "bees.md"
    assert MIN_TURNS <= source["turns"] <= MAX_TURNS

    sharegpt = tmp_path / "sharegpt.jsonl"
    cli("export", "-p", "local", "--out", str(sharegpt), "--format", "sharegpt")
    [shared] = _lines(sharegpt)
    names = {"human": "user", "gpt": "assistant"}
    said = _spoken([(names[turn["from"]], turn["value"]) for turn in shared["conversations"]])
    assert shared.get("system") is None or shared["system"].strip()

    messages = tmp_path / "messages.jsonl"
    cli("export", "-p", "local", "--out", str(messages), "--format", "messages")
    [shaped] = _lines(messages)
    turns = [(message["role"], message["content"]) for message in shaped["messages"]]
    # Both formats carry the same exchanges; ShareGPT keeps the system text in its column.
    assert _spoken(turns) == said
    assert [text for role, text in turns if role == "system"] == (
        [shared["system"]] if "system" in shared else []
    )
