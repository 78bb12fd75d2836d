"""Strings of unsaved-edit guards and of saving edits on the QA pair screen."""

EDITS_STRINGS: dict[str, tuple[str, str]] = {
    "unsaved.message": (
        "You have unsaved changes on this page. Save them before you go on?",
        "本页有未保存的修改。继续之前要保存吗？",
    ),
    "unsaved.save": ("Save and continue", "保存并继续"),
    "unsaved.discard": ("Discard changes", "放弃修改"),
    "unsaved.stay": ("Stay on this page", "留在本页"),
    "qa.saved_confirmed": ("Saved and confirmed", "已保存并确认"),
    "qa.saved_unconfirmed": ("Saved and marked not confirmed", "已保存并标记为未确认"),
}
