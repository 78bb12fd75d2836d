"""Offline token estimates."""

from __future__ import annotations

from easy_dataset.llm.tokens import estimate_messages, estimate_tokens


def test_latin_text_is_about_four_characters_a_token() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    text = "The quick brown fox jumps over the lazy dog. " * 20
    assert 0.2 * len(text) <= estimate_tokens(text) <= 0.3 * len(text)


def test_cjk_characters_count_one_each() -> None:
    assert estimate_tokens("蜜蜂酿蜜") == 4
    assert estimate_tokens("ミツバチ") == 4
    assert estimate_tokens("꿀벌") == 2
    assert estimate_tokens("蜜蜂 bees") == 2 + 2  # two CJK, then " bees" is five characters


def test_messages_add_a_small_overhead() -> None:
    one = [{"role": "user", "content": "abcd"}]
    two = [{"role": "system", "content": "abcd"}, {"role": "user", "content": "abcd"}]
    assert estimate_messages([]) == 3
    assert estimate_messages(one) == 3 + 4 + 1
    assert estimate_messages(two) - estimate_messages(one) == 5
