"""Strings of the form built from a stage's options (stage_form.py) on the Jobs screen."""

STAGE_FORM_STRINGS: dict[str, tuple[str, str]] = {
    "stage_form.default": ("(default)", "（默认）"),
    "stage_form.comma": ("comma-separated", "用逗号分隔"),
    "stage_form.comma_ids": ("ids, comma-separated", "编号，用逗号分隔"),
    "stage_form.bad_pair": (
        "{field}: {part!r} is not name=value; write e.g. accuracy=2, relevance=1",
        "{field}：{part!r} 不是“名称=数值”的形式；请写成例如 accuracy=2, relevance=1",
    ),
    "stage_form.options": ("with {options}", "选项：{options}"),
    # option labels (others show their name in words)
    "stage_form.field.model": ("Model", "模型"),
    "stage_form.field.concurrency": ("Concurrency", "并发数"),
    "stage_form.field.cache": ("Reuse cached replies", "复用缓存的回复"),
    "stage_form.field.file_ids": ("Files", "文件"),
    "stage_form.field.chunk_ids": ("Chunk ids", "文本块编号"),
    "stage_form.field.tag_ids": ("Tags", "标签"),
    "stage_form.field.question_ids": ("Question ids", "问题编号"),
    "stage_form.field.qa_ids": ("QA pair ids", "问答对编号"),
    "stage_form.field.template_ids": ("Templates", "问题模板"),
    "stage_form.field.weights": ("Weights", "权重"),
    "stage_form.field.threshold": ("Threshold", "阈值"),
    "stage_form.field.mode": ("Mode", "方式"),
    "stage_form.field.target": ("Target", "对象"),
}
