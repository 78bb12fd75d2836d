"""Self-Instruct's pure parts: seed tasks typed in or read from files, the filters over the
proposed instructions (malformed, duplicate, keyword, ROUGE-L), the examples of a round."""

from __future__ import annotations

import json
import random

import pytest

from easy_dataset.errors import InputError
from easy_dataset.generate.instruction_filters import (
    DEFAULT_KEYWORDS,
    clean_instruction,
    keyword_pattern,
    pick_examples,
    screen,
)
from easy_dataset.generate.seed_tasks import SeedTask, parse_seed_file, seed_values
from easy_dataset.quality.rouge import RougeIndex

SEEDS = [
    "Explain why honey bees swarm in spring.",
    "Write a short poem about a beekeeper at dawn.",
    "List three signs that a hive has lost its queen.",
]


def test_typed_seeds_are_one_instruction_per_line_or_objects() -> None:
    typed = seed_values(
        'Explain swarming.\n\n  Name a bee.  \n{"instruction": "Sort", "input": "b a"}'
    )
    assert typed == [
        {"instruction": "Explain swarming."},
        {"instruction": "Name a bee."},
        {"instruction": "Sort", "input": "b a", "output": ""},
    ]
    assert seed_values(["One, with a comma", {"instruction": "Two"}]) == [
        {"instruction": "One, with a comma"},
        {"instruction": "Two"},
    ]
    # A line that only looks like JSON is an instruction like any other.
    assert seed_values(["{not json"]) == [{"instruction": "{not json"}]
    assert seed_values(5) == 5  # left for validation to refuse


def test_seed_files_in_every_format() -> None:
    jsonl = "\n".join(
        json.dumps(row)
        for row in (
            {"instruction": "Explain swarming.", "input": "", "output": "Colonies split."},
            # The Self-Instruct paper's seed file: the first instance gives input and output.
            {
                "id": "seed_task_0",
                "instruction": "Classify the sentiment.",
                "instances": [{"input": "I love honey.", "output": "positive"}],
                "is_classification": True,
            },
        )
    )
    tasks = parse_seed_file("seeds.jsonl", jsonl.encode())
    assert tasks == [
        SeedTask(instruction="Explain swarming.", output="Colonies split."),
        SeedTask(instruction="Classify the sentiment.", input="I love honey.", output="positive"),
    ]
    csv_text = "Instruction,input,output\nTranslate to French,Good morning,Bonjour\nName a bee,,\n"
    assert parse_seed_file("s.csv", ("\ufeff" + csv_text).encode()) == [
        SeedTask(instruction="Translate to French", input="Good morning", output="Bonjour"),
        SeedTask(instruction="Name a bee"),
    ]
    assert parse_seed_file("s.json", json.dumps(["Explain wax.", {"instruction": "Sort"}]).encode())
    assert [
        t.instruction for t in parse_seed_file("s.txt", "解释分蜂。\n\n列出三种蜂。".encode())
    ] == [
        "解释分蜂。",
        "列出三种蜂。",
    ]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("s.pdf", b"x", "is one of .jsonl"),
        ("s.jsonl", b'{"instruction": "a"}\n{broken', "not valid JSONL"),
        ("s.jsonl", b'{"input": "x"}', "record 1 has no instruction"),
        ("s.jsonl", b"[1, 2]", "neither an object nor a string"),
        ("s.csv", b"question,answer\nq,a\n", "'instruction' column"),
        ("s.txt", b"\xff\xfe\xfa", "not UTF-8"),
        ("s.txt", b"\n\n", "no seed tasks"),
        ("s.json", b"[" * 100_000, "s.json"),
    ],
)
def test_bad_seed_files_say_what_is_wrong(name: str, data: bytes, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_seed_file(name, data)
    assert fragment in str(caught.value) and str(caught.value).startswith(name)


def test_cleaning_takes_off_numbering_and_leaked_tags() -> None:
    assert clean_instruction("  3. Explain   swarming. ") == "Explain swarming."
    assert clean_instruction("Task 4: Name a bee.</answer>") == "Name a bee."
    assert clean_instruction("任务 2：解释分蜂。") == "解释分蜂。"


def test_keywords_match_whole_words_and_cjk_anywhere() -> None:
    pattern = keyword_pattern(DEFAULT_KEYWORDS)
    assert pattern is not None
    for text in (
        "Draw a bee.",
        "Plot the data.",
        "Go  to the market.",
        "Describe these images.",
        "请绘制一张图。",
    ):
        assert pattern.search(text), text
    for text in ("Describe your profile.", "Explain the drawback.", "Summarise the mapping rules."):
        assert not pattern.search(text), text
    assert keyword_pattern([" ", ""]) is None


def test_screen_drops_each_kind_of_bad_instruction_for_its_reason() -> None:
    pool = RougeIndex(SEEDS)
    result = screen(
        [
            "Explain why honey bees swarm in spring.",  # a seed, copied: ROUGE-L 1.0
            "1. Describe how worker bees build comb.",
            "Draw a map of the apiary.",
            "describe how worker bees  build comb",  # the same as the second, once normalised
            "Okay.",
            "Explain why bees swarm in the spring season.",  # close to the seed: 0.8
            "Compare clover honey with heather honey.",
            "Compare clover honey with heather honey for a market.",  # close to the one kept
        ],
        pool,
    )
    assert result.kept == [
        "Describe how worker bees build comb.",
        "Compare clover honey with heather honey.",
    ]
    reasons = [(d.instruction, d.reason) for d in result.dropped]
    assert reasons == [
        ("Explain why honey bees swarm in spring.", "rouge"),
        ("Draw a map of the apiary.", "keyword"),
        ("describe how worker bees build comb", "duplicate"),
        ("Okay.", "malformed"),
        ("Explain why bees swarm in the spring season.", "rouge"),
        ("Compare clover honey with heather honey for a market.", "rouge"),
    ]
    copied = result.dropped[0]
    assert copied.match == SEEDS[0] and copied.score == 1.0
    assert result.dropped[-1].match == "Compare clover honey with heather honey."
    assert result.counts() == {"rouge": 3, "keyword": 1, "duplicate": 1, "malformed": 1}
    # What was kept joined the pool: the next round compares with it too.
    assert len(pool) == len(SEEDS) + 2


def test_threshold_and_keywords_are_settable() -> None:
    proposed = ["Explain why bees swarm in the spring season.", "Draw a bee."]
    loose = screen(proposed, RougeIndex(SEEDS), threshold=0.95, keywords=[])
    assert loose.kept == proposed
    strict = screen(["Explain how wasps build nests."], RougeIndex(SEEDS), threshold=0.15)
    assert [d.reason for d in strict.dropped] == ["rouge"]
    chinese = screen(
        ["解释蜜蜂为什么在春天分蜂。", "请绘制一张蜂巢图。"],
        RougeIndex(["解释蜜蜂为什么在春天分蜂"]),
    )
    assert [d.reason for d in chinese.dropped] == ["rouge", "keyword"]


def test_examples_are_six_seeds_and_two_generated_drawn_by_seed() -> None:
    seeds = [f"seed task {n}" for n in range(20)]
    shown = pick_examples(seeds, [], random.Random(1))
    assert len(shown) == 8 and set(shown) <= set(seeds)
    generated = ["made one", "made two", "made three"]
    shown = pick_examples(seeds, generated, random.Random(1))
    assert len(shown) == 8 and len(set(shown) & set(generated)) == 2
    assert shown == pick_examples(seeds, generated, random.Random(1))
    assert shown != pick_examples(seeds, generated, random.Random(2))
    assert len(pick_examples(seeds[:3], generated[:1], random.Random(0))) == 4
