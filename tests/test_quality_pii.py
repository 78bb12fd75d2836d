"""Personal data: planted cases that must be found (Western and Chinese formats) and clean
text that must pass untouched, including numbers that only look like personal data."""

from __future__ import annotations

import pytest

from easy_dataset.quality.pii import cn_id_valid, find_pii, luhn_valid, mask_pii

PLANTED = [
    ("Write to jane.doe+bees@example.co.uk for the forms.", "email", "jane.doe+bees@example.co.uk"),
    ("请联系 zhang_wei@163.com 获取资料。", "email", "zhang_wei@163.com"),
    ("Call +1 (415) 555-0132 after six.", "phone", "+1 (415) 555-0132"),
    ("Office: 020 7946 0958.", "phone", "020 7946 0958"),
    ("手机：138 0013 8000，欢迎来电。", "phone", "138 0013 8000"),
    ("电话+86 13912345678找王师傅", "phone", "+86 13912345678"),
    ("身份证号 11010519491231002X 已登记。", "cn_id", "11010519491231002X"),
    ("Card 4111 1111 1111 1111 was charged.", "card", "4111 1111 1111 1111"),
    ("卡号6222-0202-0000-0000-005可用", "card", None),  # not Luhn-valid: must not be found
    ("SSN 123-45-6789 on file.", "ssn", "123-45-6789"),
    ("The apiary is at 221B Baker Street, London.", "address", "221B Baker Street"),
    ("Deliveries: 1600 Pennsylvania Avenue.", "address", "1600 Pennsylvania Avenue"),
    ("地址：浙江省杭州市西湖区文三路90号，周一开放。", "address", None),
]


@pytest.mark.parametrize(("text", "kind", "expected"), PLANTED)
def test_planted_personal_data_is_found(text: str, kind: str, expected: str | None) -> None:
    found = [(f.kind, f.text) for f in find_pii(text)]
    if kind == "address" and expected is None:
        assert [k for k, _ in found] == ["address"] and "文三路90号" in found[0][1]
    elif expected is None:
        assert all(k != kind for k, _ in found), found
    else:
        assert (kind, expected) in found, found


CLEAN = [
    "A strong colony holds 40,000 to 60,000 bees in July.",
    "Feed 2:1 syrup (2 kg sugar to 1 litre water) from 15 September.",
    "The hive weighed 23.5 kg on 2024-10-01; version 1.2.3 of the guide.",
    "ISBN 978-3-16-148410-0 is on the back cover.",
    "蜂群在7月有4万到6万只蜜蜂，每箱10个巢框。",
    "Order number 1234567890123 shipped.",  # 13 digits, not Luhn-valid
    "Placeholder 0000 0000 0000 0000 in the form.",
    "He said it was 3 steps down the road and 4 to the left.",
    "Use frame 12 and box 3; see page 231.",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_passes(text: str) -> None:
    assert find_pii(text) == []
    assert mask_pii(text) == (text, [])


def test_mask_replaces_each_piece_and_keeps_the_rest() -> None:
    text = "Mail a@b.org or call 138 0013 8000; ID 11010519491231002X."
    masked, findings = mask_pii(text)
    assert masked == "Mail [EMAIL] or call [PHONE]; ID [CN_ID]."
    assert [f.kind for f in findings] == ["email", "phone", "cn_id"]
    assert all(text[f.start : f.end] == f.text for f in findings)
    only_mail, _ = mask_pii(text, kinds=["email"])
    assert only_mail == "Mail [EMAIL] or call 138 0013 8000; ID 11010519491231002X."


def test_checksums() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert cn_id_valid("11010519491231002X") and cn_id_valid("11010519491231002x")
    assert not cn_id_valid("110105194912310021")  # wrong check character
    assert not cn_id_valid("11010519491331002X")  # month 13
