"""Strings of the estimate asked for before the other jobs that call a model: personas, the
tag tree, question templates and the judge (the dialog itself: strings_scope)."""

ESTIMATE_STRINGS: dict[str, tuple[str, str]] = {
    "estimate.title.personas": ("Generate personas", "生成角色"),
    "estimate.title.tags": ("Build the tag tree", "构建标签树"),
    "estimate.title.templates": ("Apply question templates", "应用问题模板"),
    "estimate.title.judge": ("Judge QA pairs", "评审问答对"),
    "estimate.personas.all": ("files without personas", "还没有角色的文件"),
    "estimate.tags.all": ("the outlines of every file", "所有文件的大纲"),
    "estimate.tags.rebuild": (
        "the outlines of every file (replacing the tree)",
        "所有文件的大纲（替换现有标签树）",
    ),
    "estimate.templates.all": (
        "every template, each chunk not asked yet",
        "所有模板，尚未提问的每个文本块",
    ),
    "estimate.templates.one": (
        "template “{question}”, each chunk not asked yet",
        "模板“{question}”，尚未提问的每个文本块",
    ),
    "estimate.judge.unjudged": ("QA pairs not judged yet", "尚未评审的问答对"),
    "estimate.judge.all": ("every QA pair (judged again)", "所有问答对（重新评审）"),
}
