"""Strings of hygiene repairs held back for a reviewer (a confirmed pair is never rewritten
by the hygiene check)."""

HYGIENE_HELD_STRINGS: dict[str, tuple[str, str]] = {
    "hygiene.reason.needs_repair": (
        "needs a repair; confirmed, so left for a reviewer to edit",
        "需要修复；已确认，留给审核者编辑",
    ),
}
