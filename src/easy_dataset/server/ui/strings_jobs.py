"""Strings of the jobs screen (wording, model calls, job type names), the usage screen's
cancellations and the model form's settings, in English and Chinese."""

from __future__ import annotations

JOBS_STRINGS: dict[str, tuple[str, str]] = {
    # job type names
    "jobs.type.tags.build": ("Build the tag tree", "构建标签树"),
    "jobs.type.personas.generate": ("Generate personas", "生成读者画像"),
    "jobs.type.questions.generate": ("Generate questions", "生成问题"),
    "jobs.type.answers.generate": ("Generate answers", "生成答案"),
    "jobs.type.templates.apply": ("Apply question templates", "应用问题模板"),
    "jobs.type.quality.judge": ("Quality: judge", "质量：模型评分"),
    "jobs.type.quality.ground": ("Quality: grounding", "质量：依据检查"),
    "jobs.type.quality.dedup": ("Quality: duplicates", "质量：去重"),
    "jobs.type.quality.pii": ("Quality: personal data", "质量：个人信息"),
    "jobs.type.quality.refs": ("Quality: references to the text", "质量：提及原文"),
    "jobs.type.quality.contamination": ("Quality: contamination", "质量：基准污染"),
    "jobs.type.quality.sample": ("Quality: review sample", "质量：抽样复核"),
    # times
    "jobs.col.left": ("Time left", "剩余时间"),
    "jobs.created": ("created {at}", "创建于 {at}"),
    "jobs.running_since": (
        "running since {at} ({elapsed} so far)",
        "自 {at} 起运行（已 {elapsed}）",
    ),
    "jobs.finished_at": ("finished {at} after {took}", "结束于 {at}，用时 {took}"),
    "jobs.finished_plain": ("finished {at}", "结束于 {at}"),
    "jobs.speed_left": ("{rate} items/s · {left} left", "{rate} 项/秒 · 剩余{left}"),
    "jobs.left.unknown": ("estimating…", "估算中…"),
    "jobs.speed_estimating": (
        "{rate} items/s · estimating the time left",
        "{rate} 项/秒 · 正在估算剩余时间",
    ),
    "jobs.left.soon": ("under a minute", "不到 1 分钟"),
    "jobs.left.minutes": ("about {m} min", "约 {m} 分钟"),
    "jobs.left.hours": ("about {h} h {m} min", "约 {h} 小时 {m} 分钟"),
    "jobs.span.seconds": ("{s} s", "{s} 秒"),
    "jobs.span.minutes": ("{m} min", "{m} 分钟"),
    "jobs.span.hours": ("{h} h {m} min", "{h} 小时 {m} 分钟"),
    # failures and model calls
    "jobs.failed_summary": (
        "{failed} of {total} items failed; the list below shows why, and “Retry failed "
        "items” runs them again.",
        "{total} 项中有 {failed} 项失败；原因见下方列表，点击“重试失败项”可重新运行。",
    ),
    "jobs.failures_title": ("Failed items ({count})", "失败项（{count}）"),
    "jobs.failure_message": ("Message", "错误信息"),
    "jobs.raw_reply": ("Raw model reply", "模型原始回复"),
    "jobs.col.calls": ("Model calls", "模型调用"),
    "jobs.calls": ("Model calls: {calls}", "模型调用：{calls} 次"),
    "jobs.calls_failed": ("{count} failed ({kinds})", "{count} 次失败（{kinds}）"),
    "jobs.calls_cancelled": ("{count} cancelled by you", "{count} 次因取消而中止"),
    "jobs.calls_clean": ("none failed", "无失败"),
    "jobs.calls_cell": ("{calls} · {failed} failed", "{calls} · {failed} 次失败"),
    "jobs.retried.one": ("1 call {what} and was retried", "1 次调用{what}，已自动重试"),
    "jobs.retried.many": (
        "{count} calls {what} and were retried",
        "{count} 次调用{what}，已自动重试",
    ),
    "jobs.kind.timeout": ("timed out", "超时"),
    "jobs.kind.connection": ("could not connect", "连接失败"),
    "jobs.kind.rate_limit": ("rate limited", "被限流"),
    "jobs.kind.http": ("HTTP error", "HTTP 错误"),
    "jobs.retried_what.timeout": ("timed out", "超时"),
    "jobs.retried_what.connection": ("could not connect", "连接失败"),
    "jobs.retried_what.rate_limit": ("hit the rate limit", "被限流"),
    "jobs.retried_what.http": ("got a server error", "收到服务器错误"),
    "jobs.kind.auth": ("key refused", "密钥被拒绝"),
    "jobs.kind.not_found": ("not found", "未找到"),
    "jobs.kind.parse": ("no JSON in the reply", "回复中没有 JSON"),
    "jobs.kind.validation": ("JSON of the wrong shape", "JSON 结构不符"),
    "jobs.kind.truncated": ("reply cut off", "回复被截断"),
    "jobs.kind.unreachable": ("endpoint unreachable", "服务不可达"),
    # usage
    "usage.summary_cancelled": (
        "{calls} calls · {tokens} tokens ({prompt} prompt, {completion} completion) · "
        "{errors} errors ({rate}% of the calls that ran to an end) · {cancelled} cancelled",
        "{calls} 次调用 · {tokens} 个 token（输入 {prompt}，输出 {completion}）· "
        "{errors} 次错误（占完成调用的 {rate}%）· {cancelled} 次已取消",
    ),
    "usage.col.cancelled": ("Cancelled", "已取消"),
    # the model form
    "models.edit": ("Edit", "编辑"),
    "models.edit_title": ("Edit model configuration {name}", "编辑模型配置 {name}"),
    "models.saved": ("Model configuration {name} saved", "模型配置 {name} 已保存"),
    "models.api_key_keep": (
        "API key (empty: keep the stored one)",
        "API 密钥（留空：保留已保存的）",
    ),
    "models.clear_key": ("Remove the stored key", "删除已保存的密钥"),
    "models.settings_line": (
        "Max tokens: {max_tokens} · timeout: {timeout} s · temperature: {temperature} · "
        "top-p: {top_p} · structured output: {structured}",
        "最大 token：{max_tokens} · 超时：{timeout} 秒 · 温度：{temperature} · "
        "top-p：{top_p} · 结构化输出：{structured}",
    ),
    "models.unset": ("provider default", "服务默认"),
    "models.advanced": ("Generation and reliability settings", "生成与可靠性设置"),
    "models.max_tokens": ("Max tokens", "最大 token 数"),
    "models.max_tokens_help": (
        "Longest reply per call; empty: the server's default. Small local models may ramble "
        "on without it.",
        "每次回复的最大长度；留空用服务默认。小型本地模型不设此项可能一直生成下去。",
    ),
    "models.timeout": ("Timeout (seconds)", "超时（秒）"),
    "models.timeout_help": (
        "How long one request may take before it counts as timed out and is retried; raise "
        "it for slow or local models.",
        "单次请求的最长等待时间，超时后会重试；慢速或本地模型请调大。",
    ),
    "models.temperature": ("Temperature", "温度（temperature）"),
    "models.temperature_help": (
        "0–2; lower is more focused, higher more varied; empty: the server's default.",
        "0–2；越低越确定，越高越多样；留空用服务默认。",
    ),
    "models.top_p": ("Top-p", "Top-p"),
    "models.top_p_help": (
        "Above 0 up to 1; samples only from the most likely tokens; empty: the server's default.",
        "大于 0 且不超过 1；只从概率最高的 token 中采样；留空用服务默认。",
    ),
    "models.structured": ("Structured output", "结构化输出"),
    "models.structured_help": (
        "How JSON replies are obtained from the model.",
        "如何让模型返回 JSON。",
    ),
    "models.structured.auto": (
        "auto: a JSON schema where the provider is known to accept one (never for "
        "custom), else instructions",
        "auto：服务商已知支持时发送 JSON schema（custom 从不发送），否则用提示词说明",
    ),
    "models.structured.json_schema": (
        "json_schema: constrained decoding, for vLLM, llama.cpp, Ollama, OpenAI",
        "json_schema：约束解码，适用于 vLLM、llama.cpp、Ollama、OpenAI",
    ),
    "models.structured.json_object": (
        "json_object: JSON mode without a schema",
        "json_object：不带 schema 的 JSON 模式",
    ),
    "models.structured.prompt": (
        "prompt: instructions only, for servers that refuse response_format",
        "prompt：只用提示词说明，适用于不接受 response_format 的服务",
    ),
    "models.continuations": ("Continuations", "续写次数"),
    "models.continuations_help": (
        "Times a reply cut off at max tokens is continued before the call fails.",
        "回复在最大 token 处被截断时，最多续写的次数。",
    ),
    "models.unreachable_after": ("Pause after failures in a row", "连续失败后暂停"),
    "models.unreachable_after_help": (
        "Connection failures or timeouts in a row after which jobs pause instead of "
        "retrying every item.",
        "连续发生多少次连接失败或超时后暂停任务，而不是逐项重试。",
    ),
    "models.rpm": ("Requests per minute", "每分钟请求数"),
    "models.rpm_help": (
        "At most this many requests a minute to this endpoint; empty: no limit.",
        "每分钟最多向该服务发送的请求数；留空不限。",
    ),
    "models.tpm": ("Tokens per minute", "每分钟 token 数"),
    "models.tpm_help": (
        "At most this many tokens a minute to this endpoint; empty: no limit.",
        "每分钟最多向该服务发送的 token 数；留空不限。",
    ),
}
