"""Strings of the playground screen, in English and Chinese."""

from __future__ import annotations

PLAYGROUND_STRINGS: dict[str, tuple[str, str]] = {
    "nav.playground": ("Playground", "试验场"),
    "playground.title": ("Playground", "试验场"),
    "playground.help": (
        "Send one prompt to up to three models at once and compare their answers as they "
        "arrive. Every call is counted in Usage.",
        "把同一个提示词同时发给最多三个模型，边生成边对比它们的回答。每次调用都计入用量。",
    ),
    "playground.system": ("System prompt", "系统提示词"),
    "playground.prompt": ("Prompt", "提示词"),
    "playground.temperature": ("Temperature", "温度"),
    "playground.max_tokens": ("Max tokens", "最大 token 数"),
    "playground.top_p": ("Top-p", "Top-p"),
    "playground.model": ("Model {n}", "模型 {n}"),
    "playground.run": ("Run", "运行"),
    "playground.stop": ("Stop", "停止"),
    "playground.no_models": (
        "This project has no model configurations yet; add one in Settings.",
        "本项目还没有模型配置，请先在“设置”中添加。",
    ),
    "playground.choose": ("Choose at least one model", "请至少选择一个模型"),
    "playground.waiting": ("Waiting for the first token…", "等待第一个 token…"),
    "playground.stats": (
        "{tokens} tokens ({prompt} in the prompt) · {latency} ms · first token {first} ms",
        "{tokens} 个 token（提示词 {prompt} 个）· {latency} 毫秒 · 首个 token {first} 毫秒",
    ),
    "playground.estimated": ("≈", "≈"),
    "playground.speed": (" · {speed} tokens/s", " · 每秒 {speed} 个 token"),
    "playground.failed": ("Failed ({kind}): {error}", "失败（{kind}）：{error}"),
    "playground.stopped": ("Stopped", "已停止"),
}
