"""Strings of narrowed generation jobs and the estimate shown before one starts."""

SCOPE_STRINGS: dict[str, tuple[str, str]] = {
    # the confirmation before a long job (gen_common.confirm_job)
    "scope.title.questions": ("Generate questions", "生成问题"),
    "scope.title.answers": ("Answer questions", "回答问题"),
    "scope.for": ("For: {what}", "范围：{what}"),
    "scope.all": ("the whole project", "整个项目"),
    "scope.file": ("file {name}", "文件 {name}"),
    "scope.tag": ("tag {name} (and the tags under it)", "标签 {name}（含其下级标签）"),
    "scope.chunks": ("{count} selected {count|chunk|chunks}", "所选的 {count} 个文本块"),
    "scope.questions": ("{count} selected {count|question|questions}", "所选的 {count} 个问题"),
    "scope.unanswered": ("unanswered questions", "未回答的问题"),
    "scope.items": ("Items: {count}", "任务项：{count}"),
    "scope.calls": ("Model calls: about {count}", "模型调用：约 {count} 次"),
    "scope.tokens": (
        "Tokens: about {total} ({prompt} prompt + {completion} completion)",
        "Token：约 {total}（提示 {prompt} + 生成 {completion}）",
    ),
    "scope.time": (
        "Time: {duration} ({latency} per call, median of {calls} recent calls, {at} at a time)",
        "耗时：{duration}（每次调用 {latency}，取最近 {calls} 次调用的中位数，同时 {at} 个）",
    ),
    "scope.time_unknown": (
        "Time: unknown (no recent calls of {model} in the usage log)",
        "耗时：未知（用量记录中没有 {model} 的近期调用）",
    ),
    "scope.seconds": ("about {n} s", "约 {n} 秒"),
    "scope.minutes": ("about {n} min", "约 {n} 分钟"),
    "scope.hours": ("about {n} h", "约 {n} 小时"),
    "scope.note": (
        "These figures are estimates from the text sizes and prompt templates; retries "
        "come on top.",
        "以上数字是根据文本长度和提示词模板估算的，重试不计在内。",
    ),
    "scope.without_context": (
        "{count} {count|question has|questions have} no chunk and will be answered without "
        "context.",
        "{count} 个问题没有文本块，将在无上下文的情况下回答。",
    ),
    "scope.skipped": (
        "{count} generated {count|question is|questions are} left out: their chunk was deleted.",
        "{count} 个生成的问题被跳过：其文本块已删除。",
    ),
    "scope.nothing": (
        "Nothing to do: everything in this scope is done already.",
        "无事可做：此范围内的内容都已完成。",
    ),
    "scope.start": ("Start", "开始"),
    "scope.close": ("Close", "关闭"),
    # the chunks screen
    "chunks.generate_selected": ("Generate questions for selected", "为所选生成问题"),
    # grounding of a pair answered without a chunk
    "quality.ground.na": (
        "Not applicable: answered without a source chunk",
        "不适用：回答时没有来源文本块",
    ),
}
