"""The chunks.clean stage and the review of its proposals, from the CLI, REST and Python:
nothing changes until a proposal is accepted, the planted lost sentence is refused with a
reason, accept / reject one or all, edits of a proposal, stale proposals, restore."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from easy_dataset.api import Workspace
from easy_dataset.errors import NotFoundError
from easy_dataset.llm.types import ModelConfig
from easy_dataset.services import (
    App,
    chunk_cleaning,
    chunks,
    files,
    generation,
    jobs,
    models,
    projects,
    stages,
)
from easy_dataset.services.views import ChunkView
from tests.api_support import core, fresh, ok, refused, shared_server, wait_for_job
from tests.conftest import Cli
from tests.fake_kinds.cleaning import DROP_MARK
from tests.fake_openai import FakeOpenAI
from tests.helpers import write
from tests.test_generate_support import SMALL_CHUNKS, seed_qa_pairs

HEAD = "THE BEEKEEPER'S HANDBOOK"
# Three chunks as a PDF leaves them: a running head in each, page numbers, a word
# hyphenated at a line end, a line of scanning specks; the last one holds the sentence the
# fake model drops.
DOC = f"""# Honey bees

{HEAD}
Worker bees gather nectar and pollen from flowers. They build comb from wax that they se-
crete from glands on their abdomen.

12

{HEAD}
A strong colony can hold fifty thousand bees in summer.
¦ • ¦ •

## The queen

{HEAD}
The queen is the only fertile female of the colony. She lays up to two thousand eggs a
day in spring, and her scent keeps the workers from raising another queen.
- 13 -

## Swarms

{HEAD}
A swarm leaves the hive with the old queen in late spring. Scouts search for a new home
and dance to show the others where it is {DROP_MARK}. The swarm then flies there.
"""
WORKERS = """# Honey bees

Worker bees gather nectar and pollen from flowers. They build comb from wax that they secrete
from glands on their abdomen.

A strong colony can hold fifty thousand bees in summer."""
QUEEN = """## The queen

The queen is the only fertile female of the colony. She lays up to two thousand eggs a
day in spring, and her scent keeps the workers from raising another queen."""
PLANTED = f"Scouts search for a new home\nand dance to show the others where it is {DROP_MARK}."


def make_dirty_project(app: App, tmp: Path, base_url: str, name: str = "bees") -> list[int]:
    """A project whose one document is `DOC` in three chunks, the fake model its default;
    the chunks' ids."""
    projects.create_project(app, name, chunking=SMALL_CHUNKS)
    outcome = files.add_files(app, name, [write(tmp / "handbook.md", DOC)])[0]
    assert outcome.status == "added", outcome.error
    models.add_model(
        app,
        name,
        ModelConfig(name="fake", provider="custom", base_url=base_url, model="m", max_retries=0),
    )
    listed = chunks.list_chunks(app, name)[1]
    assert len(listed) == 3 and all(HEAD in chunk.content for chunk in listed)
    return [chunk.id for chunk in listed]


def _texts(app: App, name: str = "bees") -> list[ChunkView]:
    return chunks.list_chunks(app, name)[1]


def test_cli_cleans_shows_diffs_applies_rejects_and_restores(
    app: App, cli: Cli, fake: FakeOpenAI, tmp_path: Path
) -> None:
    first, second, third = make_dirty_project(app, tmp_path, fake.base_url)
    pairs = seed_qa_pairs(app, "bees", [("What do workers gather?", "Nectar and pollen.")])
    before = _texts(app)

    done = cli("chunks", "clean", "-p", "bees")
    # The planted lost sentence fails its item with the reason; nothing is proposed for it.
    assert done.exit_code == 1
    flat = " ".join(done.output.split())
    assert "2 succeeded, 1 failed, 0 pending of 3" in flat, done.output
    assert f"c{third} (ContentLossError): cleaning refused: the cleaned text left out 1 " in flat
    assert " ".join(PLANTED.split()) in flat
    assert "2 proposals waiting for review" in flat
    # Nothing changed: the chunks keep their text until a proposal is accepted.
    assert _texts(app) == before

    listed = cli("chunks", "cleaning", "list", "-p", "bees")
    assert listed.exit_code == 0
    assert "handbook.md · #1" in listed.output and "handbook.md · #2" in listed.output
    assert "-7 lines, +2 lines" in listed.output and "#3" not in listed.output
    shown = cli("chunks", "cleaning", "show", str(first), "-p", "bees")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.split("\n")
    assert f"--- chunk {first} (original)" in lines and f"+++ chunk {first} (cleaned)" in lines
    assert f"-{HEAD}" in lines and "-12" in lines and "-¦ • ¦ •" in lines
    assert "+from glands on their abdomen." in lines
    assert " A strong colony can hold fifty thousand bees in summer." in lines
    detail = cli.json("chunks", "cleaning", "show", str(second), "-p", "bees")
    assert detail["proposed"] == QUEEN and detail["original"] == before[1].content

    applied = cli.json("chunks", "cleaning", "apply", str(first), "-p", "bees")
    assert applied == {"decision": "accepted", "chunk_ids": [first], "skipped": []}
    cleaned = chunks.get_chunk(app, first)
    assert cleaned.content == WORKERS and cleaned.size == len(WORKERS)
    assert cleaned.updated_at > before[0].updated_at  # stored as a hand edit is
    # Questions and pairs made from the chunk are kept, and the pair shows the new text.
    kept = cli.json("questions", "list", "-p", "bees")
    assert [(row["text"], row["chunk_id"]) for row in kept] == [("What do workers gather?", first)]
    pair = generation.get_qa(app, "bees", pairs[0])
    assert pair.chunk is not None and pair.chunk.content == WORKERS

    assert cli("chunks", "cleaning", "reject", "-p", "bees").exit_code == 1  # neither ids nor --all
    rejected = cli("chunks", "cleaning", "reject", "--all", "-p", "bees")
    assert "rejected the cleaning of 1 chunk" in rejected.output
    assert chunks.get_chunk(app, second).content == before[1].content
    assert "no pending proposals" in cli("chunks", "cleaning", "list", "-p", "bees").output
    everything = cli.json("chunks", "cleaning", "list", "-p", "bees", "--status", "all")
    assert {(row["chunk_id"], row["status"]) for row in everything["items"]} == {
        (first, "accepted"),
        (second, "rejected"),
    }

    # Decided chunks are not cleaned again; the refused one is tried again (and refused).
    again = cli("chunks", "clean", "-p", "bees", "--json")
    assert again.exit_code == 1
    assert (json.loads(again.output)["total"], json.loads(again.output)["failed"]) == (1, 1)

    restored = cli("chunks", "restore", str(first), "-p", "bees")
    assert restored.exit_code == 0 and "has its original text again" in restored.output
    assert chunks.get_chunk(app, first).content == before[0].content
    nothing = cli("chunks", "restore", str(first), "-p", "bees")
    assert nothing.exit_code == 1
    assert "no accepted cleaning to undo; `easy-dataset chunks cleaning list`" in nothing.output
    missing = cli("chunks", "cleaning", "apply", str(first), "-p", "bees")
    assert "no cleaning proposal waits for chunk(s) " in missing.output


def test_the_refusal_keeps_the_models_reply(app: App, fake: FakeOpenAI, tmp_path: Path) -> None:
    ids = make_dirty_project(app, tmp_path, fake.base_url)
    summary = stages.run_stage(app, "bees", "chunks.clean")
    failures = jobs.show_job(app, summary.job_id, failures=10).failures
    assert [failure.item_key for failure in failures] == [f"c{ids[2]}"]
    assert failures[0].kind == "ContentLossError"
    assert failures[0].raw_output is not None and "The swarm then flies there." in (
        failures[0].raw_output
    )
    assert DROP_MARK not in failures[0].raw_output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from shared_server(tmp_path_factory.mktemp("api") / "home")


def test_rest_lists_shows_edits_decides_and_restores(
    server: TestClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    api = fresh(server)
    first, second, third = make_dirty_project(core(api), tmp_path, fake.base_url)
    P = "/api/projects/bees"
    estimate = ok(api.post(f"{P}/stages/chunks.clean/estimate", json={"chunk_ids": [first]}))
    assert (estimate["items"], estimate["calls"]) == (1, 1)
    job = ok(api.post(f"{P}/stages/chunks.clean"), 202)
    assert wait_for_job(api, job["id"])["job"]["failed"] == 1

    page = ok(api.get(f"{P}/cleaning"))
    assert page["total"] == 2 and [row["chunk_id"] for row in page["items"]] == [first, second]
    assert page["items"][0]["stats"]["lines_removed"] == 7 and not page["items"][0]["stale"]
    detail = ok(api.get(f"{P}/cleaning/{second}"))
    assert detail["proposed"] == QUEEN and detail["diff"].startswith(f"--- chunk {second}")
    deleted = "".join(piece["text"] for piece in detail["pieces"] if piece["op"] == "delete")
    assert HEAD in deleted and "- 13 -" in deleted
    refused(api.get(f"{P}/cleaning/{third}"), 404, "not_found")

    # A person edits the proposal, then accepts it with one more edit.
    edited = ok(api.patch(f"{P}/cleaning/{second}", json={"text": QUEEN + "\n"}))
    assert edited["edited"] and edited["status"] == "pending"
    mine = QUEEN.replace("## The queen", "## The queen bee")
    outcome = ok(api.post(f"{P}/cleaning/{second}/accept", json={"text": mine}))
    assert outcome["chunk_ids"] == [second]
    assert ok(api.get(f"{P}/chunks/{second}"))["content"] == mine
    shown = ok(api.get(f"{P}/cleaning/{second}"))
    assert (shown["status"], shown["proposed"], shown["edited"]) == ("accepted", mine, True)

    # A proposal whose chunk changed meanwhile is stale: accepting it is refused.
    dirty = ok(api.get(f"{P}/chunks/{first}"))["content"]
    ok(api.patch(f"{P}/chunks/{first}", json={"content": dirty + "\nWorkers also guard."}))
    assert ok(api.get(f"{P}/cleaning"))["items"][0]["stale"]
    answer = api.post(f"{P}/cleaning/accept", json={"ids": [first]})
    assert answer.status_code == 409 and answer.json()["subject"] == "cleaning_stale"
    skipped = ok(api.post(f"{P}/cleaning/accept", json={"all": True}))
    assert skipped["chunk_ids"] == [] and skipped["skipped"][0]["chunk_id"] == first
    # Cleaning the chunk again replaces the stale proposal.
    job = ok(api.post(f"{P}/stages/chunks.clean", json={"chunk_ids": [first]}), 202)
    assert wait_for_job(api, job["id"])["job"]["succeeded"] == 1
    again = ok(api.get(f"{P}/cleaning/{first}"))
    assert not again["stale"] and again["proposed"].endswith("Workers also guard.")
    assert ok(api.get(f"{P}/cleaning"))["total"] == 1
    assert ok(api.post(f"{P}/cleaning/reject", json={"all": True}))["chunk_ids"] == [first]
    assert ok(api.get(f"{P}/cleaning"))["total"] == 0
    assert ok(api.get(f"{P}/cleaning", params={"status": "all"}))["total"] == 2
    refused(api.post(f"{P}/cleaning/accept", json={}), 422)
    refused(api.post(f"{P}/cleaning/accept", json={"ids": [1], "all": True}), 422)
    gone = api.post(f"{P}/cleaning/reject", json={"ids": [second]})
    assert gone.status_code == 404 and gone.json()["subject"] == "cleaning"

    # Undo: an edit after the acceptance is not discarded unless asked.
    original = detail["original"]
    ok(api.patch(f"{P}/chunks/{second}", json={"content": mine + " Long live the queen."}))
    clash = api.post(f"{P}/chunks/{second}/restore")
    assert clash.status_code == 409 and clash.json()["subject"] == "chunk_changed"
    back = ok(api.post(f"{P}/chunks/{second}/restore", params={"force": True}))
    assert back["content"] == original
    refused(api.post(f"{P}/chunks/{second}/restore"), 404, "not_found")


def test_python_api_cleans_and_decides(fake: FakeOpenAI, tmp_path: Path) -> None:
    with Workspace(tmp_path / "home") as workspace:
        first, second, _ = make_dirty_project(workspace.app, tmp_path, fake.base_url)
        project = workspace.project("bees")
        before = [chunk.content for chunk in project.chunks()]
        summary = project.clean_chunks()
        assert (summary.succeeded, summary.failed) == (2, 1)
        assert [chunk.content for chunk in project.chunks()] == before
        proposals = project.cleaning_proposals()
        assert [proposal.chunk_id for proposal in proposals] == [first, second]
        assert f"-{HEAD}" in project.cleaning_proposal(first).diff.split("\n")
        assert project.edit_cleaning(second, QUEEN + "\nLong live the queen.").edited
        rejected = project.reject_cleaning([second])
        assert rejected.chunk_ids == [second]
        accepted = project.accept_cleaning(all=True)
        assert accepted.chunk_ids == [first]
        assert project.chunks()[0].content == WORKERS
        assert project.chunks()[1].content == before[1]
        assert project.restore_chunk(first).content == before[0]
        with pytest.raises(NotFoundError):
            project.accept_cleaning([second])
        statuses = {p.chunk_id: p.status for p in project.cleaning_proposals(status=None)}
        assert statuses == {first: "restored", second: "rejected"}
        # Restored and rejected chunks are settled: a new run plans only the refused one.
        assert project.estimate("chunks.clean").items == 1
        assert chunk_cleaning.count_pending(workspace.app, "bees") == 0
