"""Strings of chunk cleaning: starting it from the chunks screen and reviewing its proposals."""

CLEANING_STRINGS: dict[str, tuple[str, str]] = {
    "jobs.type.chunks.clean": ("Clean chunks", "清理文本块"),
    "cleaning.start": ("Clean with the model", "用模型清理"),
    "cleaning.title_start": ("Clean chunks", "清理文本块"),
    "cleaning.review": ("Review cleaning ({count})", "审阅清理结果（{count}）"),
    "cleaning.title": ("Cleaning proposals", "清理提议"),
    "cleaning.back": ("Back to the chunks", "返回文本块"),
    "cleaning.help": (
        "The model proposed these chunks without page furniture (running headers and "
        "footers, page numbers, hyphenation breaks, scanning noise). Removed text is struck "
        "through in red, added text is green. Nothing changes until you accept; an accepted "
        "cleaning can be undone from the chunk's card.",
        "模型提议去掉这些文本块中的页面杂物（页眉页脚、页码、断词连字符、扫描噪声）。删除的文字以红色删除线显示，"
        "新增的文字以绿色显示。接受之前不会做任何改动；已接受的清理可以在文本块卡片上撤销。",
    ),
    "cleaning.waiting": (
        "{count} {count|proposal|proposals} waiting for review",
        "{count} 条提议待审阅",
    ),
    "cleaning.none": (
        "No proposals are waiting. Start “Clean with the model” on the chunks screen.",
        "没有待审阅的提议。请在文本块页面点击“用模型清理”。",
    ),
    "cleaning.stats": (
        "−{removed} / +{added} {added|line|lines}, {chars} characters removed",
        "删除 {removed} 行 / 新增 {added} 行，删除 {chars} 个字符",
    ),
    "cleaning.stale": (
        "The chunk changed since this proposal was made: reject it, or clean the chunk again.",
        "提议生成之后该文本块已被修改：请拒绝此提议，或重新清理该文本块。",
    ),
    "cleaning.edited": ("edited", "已修改"),
    "cleaning.edit": ("Edit the cleaned text", "编辑清理后的文本"),
    "cleaning.save_edit": ("Save the edit", "保存修改"),
    "cleaning.accept": ("Accept", "接受"),
    "cleaning.reject": ("Reject", "拒绝"),
    "cleaning.accept_all": ("Accept all", "全部接受"),
    "cleaning.reject_all": ("Reject all", "全部拒绝"),
    "cleaning.confirm_accept_all": (
        "Give {count} {count|chunk|chunks} their cleaned text? Each can be restored later.",
        "将 {count} 个文本块替换为清理后的文本？之后可以逐个恢复。",
    ),
    "cleaning.confirm_reject_all": (
        "Reject {count} {count|proposal|proposals}? The chunks keep their text.",
        "拒绝 {count} 条提议？文本块保持原样。",
    ),
    "cleaning.accepted": (
        "Cleaning accepted for {count} {count|chunk|chunks}",
        "已接受 {count} 个文本块的清理",
    ),
    "cleaning.rejected": ("{count} {count|proposal|proposals} rejected", "已拒绝 {count} 条提议"),
    "cleaning.skipped": (
        "{count} stale {count|proposal was|proposals were} left as {count|it is|they are}",
        "{count} 条过时的提议未处理",
    ),
    "cleaning.restore": ("Restore original", "恢复原文"),
    "cleaning.confirm_restore": (
        "Put back the text this chunk had before its cleaning was accepted?",
        "恢复该文本块在接受清理之前的文本？",
    ),
    "cleaning.restored": ("The original text is back", "已恢复原文"),
    "cleaning.cleaned_badge": ("cleaned", "已清理"),
}
