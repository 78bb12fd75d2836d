"""Strings of the hygiene check (repaired and flagged generated text) and of chunk labels."""

HYGIENE_STRINGS: dict[str, tuple[str, str]] = {
    "quality.flag.hygiene": ("Text hygiene", "文本规范"),
    "quality.check.hygiene": ("Text hygiene", "文本规范"),
    "quality.check.hygiene.help": (
        "Repairs stray quotes and commas, leaked tags (<think>, </answer>), HTML wrappers "
        "and doubled spaces in questions, answers and reasoning; flags instructions posing "
        "as questions, texts that ask nothing and empty answers.",
        "修复问题、答案和思维链中多余的引号与逗号、泄漏的标签（<think>、</answer>）、"
        "HTML 包裹和多余空格；标记伪装成问题的指令、没有提问的文本和空答案。",
    ),
    "hygiene.reason.instruction": (
        "an instruction, not a question",
        "是指令而不是问题",
    ),
    "hygiene.reason.not_a_question": ("asks nothing", "没有提出问题"),
    "hygiene.reason.empty": ("empty", "为空"),
    "hygiene.issue": ("{field}: {reason}", "{field}：{reason}"),
    "hygiene.repaired": ("Repaired: {what}", "已修复：{what}"),
    "hygiene.repair.tags": ("leaked tags", "泄漏的标签"),
    "hygiene.repair.html": ("HTML wrapper", "HTML 包裹"),
    "hygiene.repair.quotes": ("stray quotes", "多余的引号"),
    "hygiene.repair.punctuation": ("stray commas", "多余的逗号"),
    "hygiene.repair.numbering": ("list numbering", "列表编号"),
    "hygiene.repair.whitespace": ("extra spaces", "多余空格"),
    "questions.flagged": ("flagged: {reasons}", "已标记：{reasons}"),
    # chunk labels and the chunk picker of "Add a question"
    "questions.meta_chunk_label": ("chunk {label}", "文本块 {label}"),
    "questions.chunk_file": ("Chunk: file (optional)", "文本块：文件（可选）"),
    "questions.chunk_pick": ("Chunk", "文本块"),
    "questions.chunk_none": ("No chunk", "不关联文本块"),
}
