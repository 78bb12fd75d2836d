"""Chunk cleaning's pure parts and the model call: the pre-pass (hyphenation, lone page
numbers), what counts as page furniture, the safety check that refuses a cleaned text that
lost a sentence of content (or added one), the diffs, and `clean_chunk` against the fake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from easy_dataset.chunking.cleaning_check import check_cleaning
from easy_dataset.chunking.furniture import furniture_lines, prepass, running_lines
from easy_dataset.chunking.text_diff import pieces, stats, unified
from easy_dataset.errors import ContentLossError, InputError
from easy_dataset.generate.cleaning import CleaningResult, clean_chunk
from easy_dataset.llm.openai_client import OpenAIChatClient
from easy_dataset.llm.types import ChatClient, ModelConfig
from tests.fake_kinds.cleaning import DROP_MARK
from tests.fake_openai import FakeOpenAI

HEAD = "THE BEEKEEPER'S HANDBOOK"
DIRTY = f"""{HEAD}
Worker bees gather nectar and pollen from flowers. They build comb from wax that they se-
crete from glands on their abdomen.

12

{HEAD}
The queen lays up to two thousand eggs a day in spring.
¦ • ¦ •
A strong colony can hold fifty thousand bees in summer."""
CLEAN = """\
Worker bees gather nectar and pollen from flowers. They build comb from wax that they secrete
from glands on their abdomen.

The queen lays up to two thousand eggs a day in spring.
A strong colony can hold fifty thousand bees in summer."""
QUEEN = "The queen lays up to two thousand eggs a day in spring."


def test_prepass_joins_hyphenation_and_drops_lone_page_numbers() -> None:
    done = prepass(DIRTY)
    assert (done.hyphen_joins, done.page_numbers) == (1, 1)
    assert "they secrete\nfrom glands" in done.text
    assert "\n12\n" not in done.text and "\n\n\n" not in done.text
    # What needs judgement is left to the model: running heads, noise, numbers inside text.
    assert done.text.count(HEAD) == 2 and "¦ • ¦ •" in done.text
    assert prepass("Page 3\n\nBees fly.").text == "Bees fly."


def test_prepass_leaves_code_tables_compounds_and_numbers_in_text() -> None:
    text = (
        "A well-known rule: keep the hive dry. The well-\nknown rule holds.\n\n"
        "```\nfoo = bar-\nbaz\n\n12\n\n```\n\n| a-\n| b |\n\nThe year\n2024\nwas dry."
    )
    done = prepass(text)
    assert "The well-known\nrule holds." in done.text  # spelled with its hyphen elsewhere
    assert "foo = bar-\nbaz\n\n12\n\n```" in done.text  # code is never touched
    assert "| a-\n| b |" in done.text
    assert "The year\n2024\nwas dry." in done.text  # a number inside a paragraph stays
    assert done.hyphen_joins == 1 and done.page_numbers == 0


def test_furniture_lines() -> None:
    text = f"{HEAD}\nBees fly.\n- 7 -\n~ ~ *\n{HEAD}\n| 1 | 2 |\n```\n{HEAD}\n```\nChapter 2"
    flags = furniture_lines(text)
    assert flags == [True, False, True, True, True, False, False, False, False, False]
    # A line that recurs across the file's chunks may go even when it is there only once.
    running = running_lines(["Chapter 2\nBees fly.", "Chapter 2\nWasps sting.", "Chapter 2\nx"])
    assert running == {"chapter #"}
    assert furniture_lines("Chapter 2\nBees fly.", running) == [True, False]
    assert running_lines(["Chapter 2\nBees fly.", "Chapter 2\nWasps sting."]) == frozenset()
    # A sentence said twice is still content.
    assert furniture_lines("Keep the smoker lit.\nBees fly.\nKeep the smoker lit.") == [
        False,
        False,
        False,
    ]


def test_a_clean_text_that_keeps_every_sentence_passes() -> None:
    assert check_cleaning(DIRTY, CLEAN).ok
    # An OCR fix inside a word, a split word joined or a joined one split are no loss.
    assert check_cleaning("The h0ney is stored in ce lls.", "The honey is stored in cells.").ok
    assert check_cleaning("A beehive holds bees.", "A bee hive holds bees.").ok
    chinese = "蜜蜂是群居昆虫。工蜂采集花蜜。\n第 3 页\n蜂王每天产卵。"
    assert check_cleaning(chinese, "蜜蜂是群居昆虫。工蜂采集花蜜。\n蜂王每天产卵。").ok


def test_a_lost_sentence_is_refused_with_the_sentence_quoted() -> None:
    found = check_cleaning(DIRTY, CLEAN.replace(QUEEN + "\n", ""))
    assert not found.ok and found.lost == (QUEEN,)
    assert found.reason() == f"the cleaned text left out 1 sentence of content: “{QUEEN}”"
    # A heading is content too, and so is half a sentence.
    assert not check_cleaning("# Swarms\n\nBees swarm in May.", "Bees swarm in May.").ok
    cut = check_cleaning(
        "Scouts search for a new home and dance to show the others where it is.",
        "Scouts search for a new home.",
    )
    assert len(cut.lost) == 1
    chinese = check_cleaning("蜜蜂是群居昆虫。工蜂采集花蜜。", "蜜蜂是群居昆虫。")
    assert chinese.lost == ("工蜂采集花蜜。",)


def test_added_text_is_refused() -> None:
    found = check_cleaning(DIRTY, CLEAN + " Bees also dance to show where flowers are.")
    assert not found.ok and found.added == ("Bees also dance to show where flowers are.",)
    assert "adds 1 passage the original does not have" in found.reason()


def test_diffs() -> None:
    parts = pieces(DIRTY, CLEAN)
    assert "".join(p.text for p in parts if p.op != "insert") == DIRTY
    assert "".join(p.text for p in parts if p.op != "delete") == CLEAN
    assert any(p.op == "delete" and HEAD in p.text for p in parts)
    diff = unified(DIRTY, CLEAN, name="chunk 4")
    assert diff.startswith("--- chunk 4 (original)\n+++ chunk 4 (cleaned)\n@@")
    assert f"\n-{HEAD}\n" in diff and "\n-12\n" in diff and "\n-¦ • ¦ •\n" in diff
    assert f"\n {QUEEN}\n" in diff
    found = stats(DIRTY, CLEAN)
    assert (found.lines_removed, found.lines_added) == (7, 2)
    assert unified(CLEAN, CLEAN) == ""


def _clean(fake: FakeOpenAI, **kwargs: Any) -> CleaningResult:
    config = ModelConfig(
        name="fake", provider="custom", base_url=fake.base_url, model="m", max_retries=0
    )

    async def go() -> CleaningResult:
        client: ChatClient = OpenAIChatClient(config, None)
        try:
            return await clean_chunk(client, **kwargs)
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_the_model_cleans_and_the_planted_loss_is_caught(fake: FakeOpenAI) -> None:
    result = _clean(fake, chunk=DIRTY)
    assert result.text == CLEAN and not result.unchanged
    assert result.prepass.counts() == {"hyphen_joins": 1, "page_numbers": 1}
    assert result.provenance.prompt == "chunk_clean"
    sent = fake.stats().bodies()[0]["messages"][1]["content"]
    assert "they secrete\nfrom glands" in sent and "\n12\n" not in sent  # the pre-pass ran

    planted = f"Scouts dance to show the way {DROP_MARK}."
    with pytest.raises(ContentLossError) as refused:
        _clean(fake, chunk=f"{DIRTY}\n{planted}")
    assert str(refused.value) == (
        f"cleaning refused: the cleaned text left out 1 sentence of content: “{planted}”"
    )
    assert refused.value.raw_output is not None and QUEEN in refused.value.raw_output

    # Lines known to run through the file are offered to the model, which removes them.
    result = _clean(fake, chunk="Chapter 2\nBees fly.", running={"chapter #"})
    assert result.text == "Bees fly."
    assert "<running>\nChapter 2\n</running>" in fake.stats().bodies()[-1]["messages"][1]["content"]
    assert _clean(fake, chunk="Bees fly.").unchanged
    with pytest.raises(InputError, match="nothing but page furniture"):
        _clean(fake, chunk="- 4 -\n~ * ~")


def test_a_sentence_joined_across_the_page_furniture_is_kept() -> None:
    original = (
        "They build comb from wax that they se-\n\n- 14 -\n\n"
        f"{HEAD}\n{HEAD}\ncrete from glands on their abdomen."
    )
    joined = "They build comb from wax that they secrete from glands on their abdomen."
    assert check_cleaning(original, joined).ok
    # Furniture the model left in place is no addition.
    assert check_cleaning(original, f"{HEAD}\n{joined}").ok
    # ...but words of it do not excuse a sentence made up around them.
    made_up = f"{joined} The beekeeper's handbook is the best guide to the hive."
    assert check_cleaning(original, made_up).added == (
        "The beekeeper's handbook is the best guide to the hive.",
    )
