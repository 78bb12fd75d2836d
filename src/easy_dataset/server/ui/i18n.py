"""Every string the web pages show, in English and Chinese, and `t(key)` to pick one.

The language comes from the `easy_dataset_lang` cookie, set by `/_ui/language/<code>` (the
toggle in the header), read from the request of the page being built or of the browser
connection an event handler runs for. Adding a string: one line in `STRINGS`, key
`<screen>.<name>`, value `(english, chinese)`; `{name}` fields are filled by `t`, and
`{name|one|other}` is the word for that field's number: "{count} {count|chunk|chunks}" reads
"1 chunk", "2 chunks" (Chinese nouns have no plural, so Chinese strings need none).
"""

from __future__ import annotations

import re

from nicegui.slot import Slot

from easy_dataset.server.ui.strings_arena import ARENA_STRINGS
from easy_dataset.server.ui.strings_cleaning import CLEANING_STRINGS
from easy_dataset.server.ui.strings_corrections import CORRECTIONS_STRINGS
from easy_dataset.server.ui.strings_dialogues import DIALOGUE_STRINGS
from easy_dataset.server.ui.strings_edits import EDITS_STRINGS
from easy_dataset.server.ui.strings_estimates import ESTIMATE_STRINGS
from easy_dataset.server.ui.strings_evalsets import EVALSETS_STRINGS
from easy_dataset.server.ui.strings_evaluations import EVALUATIONS_STRINGS
from easy_dataset.server.ui.strings_files import FILES_STRINGS
from easy_dataset.server.ui.strings_generation import GENERATION_STRINGS
from easy_dataset.server.ui.strings_hygiene import HYGIENE_STRINGS
from easy_dataset.server.ui.strings_hygiene_held import HYGIENE_HELD_STRINGS
from easy_dataset.server.ui.strings_jobs import JOBS_STRINGS
from easy_dataset.server.ui.strings_playground import PLAYGROUND_STRINGS
from easy_dataset.server.ui.strings_preferences import PREFERENCE_STRINGS
from easy_dataset.server.ui.strings_quality import QUALITY_STRINGS
from easy_dataset.server.ui.strings_review import REVIEW_STRINGS
from easy_dataset.server.ui.strings_scope import SCOPE_STRINGS
from easy_dataset.server.ui.strings_stage_form import STAGE_FORM_STRINGS
from easy_dataset.server.ui.strings_training import TRAINING_STRINGS

LANGUAGES = ("en", "zh")
COOKIE = "easy_dataset_lang"

STRINGS: dict[str, tuple[str, str]] = {
    "common.cancel": ("Cancel", "取消"),
    "common.close": ("Close", "关闭"),
    "common.delete": ("Delete", "删除"),
    "common.save": ("Save", "保存"),
    "common.saved": ("Saved", "已保存"),
    "common.yes": ("yes", "是"),
    "layout.other_language": ("中文", "English"),
    "layout.no_project": ("There is no project {id}.", "项目 {id} 不存在。"),
    "nav.projects": ("Projects", "项目"),
    "nav.files": ("Files", "文件"),
    "nav.chunks": ("Chunks", "文本块"),
    "nav.tags": ("Tags", "标签"),
    "nav.personas": ("Personas", "读者画像"),
    "nav.questions": ("Questions", "问题"),
    "nav.qa": ("QA pairs", "问答对"),
    "nav.export": ("Export", "导出"),
    "nav.jobs": ("Jobs", "任务"),
    "nav.usage": ("Usage", "用量"),
    "nav.settings": ("Settings", "设置"),
    "nav.group.evaluate": ("Train & evaluate", "训练与评测"),
    # projects
    "projects.title": ("Projects", "项目"),
    "projects.name": ("Name", "名称"),
    "projects.description": ("Description", "描述"),
    "projects.copy_models": ("Copy model settings from", "复制模型配置自"),
    "projects.copy_none": ("(none)", "（不复制）"),
    "projects.create": ("Create project", "创建项目"),
    "projects.created": ("Project {name} created", "项目 {name} 已创建"),
    "projects.copied": (
        "{count} model {count|configuration|configurations} copied",
        "已复制 {count} 个模型配置",
    ),
    "projects.confirm_delete": (
        "Delete project {name} with all its files, chunks, questions and QA pairs?",
        "删除项目 {name} 及其全部文件、文本块、问题和问答对？",
    ),
    "projects.deleted": ("Project {name} deleted", "项目 {name} 已删除"),
    "projects.col.name": ("Name", "名称"),
    "projects.col.description": ("Description", "描述"),
    "projects.col.files": ("Files", "文件"),
    "projects.col.chunks": ("Chunks", "文本块"),
    "projects.col.questions": ("Questions", "问题"),
    "projects.col.qa_pairs": ("QA pairs", "问答对"),
    "projects.col.calls": ("Model calls", "模型调用"),
    "projects.col.tokens": ("Tokens (prompt + completion)", "Token（输入 + 输出）"),
    "projects.col.created": ("Created", "创建时间"),
    # settings
    "settings.title": ("Settings", "设置"),
    "settings.tab.models": ("Models", "模型"),
    "settings.tab.chunking": ("Chunking", "分块"),
    "settings.tab.generation": ("Generation", "生成"),
    "settings.tab.prompts": ("Prompts", "提示词"),
    "models.none": (
        "No model configured: jobs use the small embedded model.",
        "未配置模型：任务将使用内置小模型。",
    ),
    "models.default": ("default", "默认"),
    "models.key_hint": ("key {hint}", "密钥 {hint}"),
    "models.no_key": ("no stored key", "未保存密钥"),
    "models.unusable": ("cannot be used: {problem}", "无法使用：{problem}"),
    "models.concurrency_is": ("Concurrency: {n} {n|call|calls} in flight", "并发：{n} 个请求"),
    "models.test": ("Test connection", "测试连接"),
    "models.testing": ("Testing {name}…", "正在测试 {name}…"),
    "models.test_ok": ("Connected in {ms} ms: {reply}", "连接成功，{ms} 毫秒：{reply}"),
    "models.test_failed": ("Connection failed: {error}", "连接失败：{error}"),
    "models.list": ("List models", "列出模型"),
    "models.endpoint_models": ("Models offered by {name}'s endpoint", "{name} 的服务提供的模型"),
    "models.none_listed": ("(none listed)", "（无）"),
    "models.make_default": ("Make default", "设为默认"),
    "models.confirm_remove": ("Remove model configuration {name}?", "删除模型配置 {name}？"),
    "models.add": ("Add a model configuration", "添加模型配置"),
    "models.add_button": ("Add", "添加"),
    "models.added": ("Model configuration {name} added", "已添加模型配置 {name}"),
    "models.provider": ("Provider", "服务商"),
    "models.name": ("Name", "名称"),
    "models.model": ("Model", "模型"),
    "models.base_url": ("Base URL (empty: the provider's)", "接口地址（留空用服务商默认）"),
    "models.api_key": ("API key", "API 密钥"),
    "models.key_env": ("empty: read from ${env}", "留空：读取 ${env}"),
    "models.concurrency": ("Concurrency", "并发数"),
    "chunking.strategy": ("Strategy", "策略"),
    "chunking.min_chars": ("Min characters", "最少字符"),
    "chunking.max_chars": ("Max characters", "最多字符"),
    "chunking.size": ("Size", "大小"),
    "chunking.overlap": ("Overlap", "重叠"),
    "chunking.delimiter": ("Delimiter (\\n for a newline)", "分隔符（\\n 表示换行）"),
    "chunking.language": ("Code language", "代码语言"),
    "chunking.help": (
        "Markdown uses min/max characters; the other strategies use size and overlap "
        "(tokens for the token strategy). New files are split with these settings.",
        "Markdown 策略使用最少/最多字符，其他策略使用大小与重叠（token 策略按 token 计）。"
        "新文件按此设置分块。",
    ),
    "generation.language": ("Language", "语言"),
    "generation.lang_auto": ("Detect per document", "按文档自动识别"),
    "generation.chars_per_question": ("Characters per question", "每个问题对应字符数"),
    "generation.min": ("Min questions per chunk", "每块最少问题"),
    "generation.max": ("Max questions per chunk", "每块最多问题"),
    "generation.exact": ("Exactly per chunk (optional)", "每块固定问题数（可选）"),
    "generation.tags_enabled": ("Build a domain tag tree", "构建领域标签树"),
    "generation.tag_levels": ("Tag levels", "标签层级"),
    "generation.concurrency": (
        "Concurrency is set per model configuration (the default one: {n}) and can be "
        "changed per job on the Jobs screen.",
        "并发数按模型配置设置（默认配置：{n}），也可在任务页面为单个任务指定。",
    ),
    "prompts.col.name": ("Prompt", "提示词"),
    "prompts.col.language": ("Language", "语言"),
    "prompts.col.version": ("Version", "版本"),
    "prompts.col.overridden": ("Overridden", "已覆盖"),
    "prompts.col.description": ("Description", "说明"),
    "prompts.pick": ("Click a prompt to view or edit it.", "点击提示词查看或编辑。"),
    "prompts.overridden": ("overridden in this project", "本项目已覆盖"),
    "prompts.template": ("Template", "模板"),
    "prompts.default": ("Default", "默认模板"),
    "prompts.diff": ("Diff", "差异"),
    "prompts.reset": ("Reset to default", "恢复默认"),
    "prompts.confirm_reset": (
        "Discard this project's version of the prompt?",
        "放弃本项目的提示词修改？",
    ),
    # files
    "files.title": ("Files", "文件"),
    "files.upload": ("Drop or pick documents", "拖放或选择文档"),
    "files.upload_help": (
        "PDF, DOCX, EPUB, HTML, Markdown or text; at most {limit} each.",
        "支持 PDF、DOCX、EPUB、HTML、Markdown 或文本；每个最大 {limit}。",
    ),
    "files.rejected": (
        "Refused: larger than {limit} or not a document",
        "已拒绝：超过 {limit} 或不是文档",
    ),
    "files.too_large": ("larger than the limit of {limit}", "超过大小限制 {limit}"),
    "files.status_col.name": ("File", "文件"),
    "files.status_col.status": ("Status", "状态"),
    "files.status_col.detail": ("Detail", "详情"),
    "files.status.added": ("added", "已添加"),
    "files.status.duplicate": ("duplicate", "重复"),
    "files.status.failed": ("error", "错误"),
    "files.added_detail": ("{chunks} {chunks|chunk|chunks}", "{chunks} 个文本块"),
    "files.duplicate_detail": ("same as file {id}", "与文件 {id} 相同"),
    "files.list": ("Project files", "项目文件"),
    "files.delete_selected": ("Delete selected", "删除所选"),
    "files.select_first": ("Select files first", "请先选择文件"),
    "files.confirm_delete": (
        "Delete {count} {count|file|files} and their chunks? {names}",
        "删除 {count} 个文件及其文本块？{names}",
    ),
    "files.deleted": ("{count} {count|file|files} deleted", "已删除 {count} 个文件"),
    "files.col.name": ("Name", "名称"),
    "files.col.format": ("Type", "类型"),
    "files.col.size": ("Size", "大小"),
    "files.col.pages": ("Pages", "页数"),
    "files.col.chunks": ("Chunks", "文本块"),
    "files.col.added": ("Added", "添加时间"),
    # chunks
    "chunks.title": ("Chunks", "文本块"),
    "chunks.search": ("Search text", "搜索文本"),
    "chunks.file": ("File", "文件"),
    "chunks.all_files": ("All files", "全部文件"),
    "chunks.page_size": ("Per page", "每页"),
    "chunks.total": (
        "{total} {total|chunk|chunks} · page {page} of {pages}",
        "共 {total} 块 · 第 {page}/{pages} 页",
    ),
    "chunks.none": ("No chunks match.", "没有匹配的文本块。"),
    "chunks.chars": ("characters", "字符"),
    "chunks.merge": ("Merge selected", "合并所选"),
    "chunks.merged": ("Merged into chunk {id}", "已合并到文本块 {id}"),
    "chunks.delete": ("Delete selected", "删除所选"),
    "chunks.select_first": ("Select chunks first", "请先选择文本块"),
    "chunks.confirm_delete": ("Delete {count} {count|chunk|chunks}?", "删除 {count} 个文本块？"),
    "chunks.deleted": ("{count} {count|chunk|chunks} deleted", "已删除 {count} 个文本块"),
    "chunks.view": ("View", "查看"),
    "chunks.markdown": ("Markdown", "Markdown"),
    "chunks.raw": ("Text", "原文"),
    "chunks.edit": ("Edit", "编辑"),
    "chunks.edit_title": ("Edit chunk {id}", "编辑文本块 {id}"),
    "chunks.split": ("Split", "拆分"),
    "chunks.split_title": ("Split chunk {id}", "拆分文本块 {id}"),
    "chunks.split_help": (
        "Click in the text where the second part should start, or type the offset.",
        "在文本中点击第二部分的起点，或输入偏移量。",
    ),
    "chunks.offset": ("Split at character", "拆分位置（字符）"),
    "chunks.use_cursor": ("Use cursor position", "使用光标位置"),
    "chunks.split_done": ("Chunk split in two", "文本块已拆分"),
    "chunks.resplit": ("Re-split a file", "重新分块"),
    "chunks.resplit_note": (
        "The file's chunks are replaced; these settings become the project's chunking settings.",
        "该文件的文本块将被替换；这些设置将成为项目的分块设置。",
    ),
    "chunks.confirm_resplit": ("Replace all chunks of {name}?", "替换 {name} 的全部文本块？"),
    "chunks.resplit_done": ("{count} {count|chunk|chunks} made", "已生成 {count} 个文本块"),
    "chunks.no_files": ("Upload files first", "请先上传文件"),
    # jobs
    "jobs.title": ("Jobs", "任务"),
    "jobs.stage": ("Stage", "阶段"),
    "jobs.model": ("Model", "模型"),
    "jobs.default_model": ("(project default)", "（项目默认）"),
    "jobs.concurrency": ("Concurrency (optional)", "并发数（可选）"),
    "jobs.start": ("Start", "开始"),
    "jobs.started": ("Job {id} started", "任务 {id} 已开始"),
    "jobs.not_running": (
        "This server was started without running jobs: they stay queued.",
        "本服务未启用任务执行：任务将保持排队。",
    ),
    "jobs.col.id": ("Job", "任务"),
    "jobs.col.type": ("Type", "类型"),
    "jobs.col.status": ("Status", "状态"),
    "jobs.col.done": ("Done", "完成"),
    "jobs.col.succeeded": ("Succeeded", "成功"),
    "jobs.col.failed": ("Failed", "失败"),
    "jobs.col.pending": ("Pending", "待处理"),
    "jobs.col.rate": ("Rate", "速度"),
    "jobs.status.pending": ("pending", "排队中"),
    "jobs.status.paused": ("paused", "已暂停"),
    "jobs.status.running": ("running", "运行中"),
    "jobs.status.succeeded": ("succeeded", "成功"),
    "jobs.status.failed": ("failed", "失败"),
    "jobs.status.cancelled": ("cancelled", "已取消"),
    "jobs.detail_title": ("Job {id} · {type}", "任务 {id} · {type}"),
    "jobs.counts": (
        "{ok} succeeded · {failed} failed · {pending} pending · {total} in all",
        "成功 {ok} · 失败 {failed} · 待处理 {pending} · 共 {total}",
    ),
    "jobs.attempt": ("attempt {n} at {at}", "第 {n} 次尝试，{at}"),
    "jobs.no_output": ("(no model output)", "（无模型输出）"),
    "jobs.cancel": ("Cancel", "取消任务"),
    "jobs.cancel_requested": ("Job {id} is stopping", "任务 {id} 正在停止"),
    "jobs.retry": ("Retry failed items", "重试失败项"),
    "jobs.retrying": (
        "{count} {count|item|items} of job {id} queued again",
        "任务 {id} 的 {count} 项已重新排队",
    ),
    "jobs.resume": ("Resume", "继续"),
    "jobs.resumed": ("Job {id} resumes", "任务 {id} 继续运行"),
    "jobs.not_here": ("Job {id} is not a job of this project", "任务 {id} 不属于本项目"),
}


# Screens added later keep their strings in their own table, merged here.
STRINGS.update(GENERATION_STRINGS)
STRINGS.update(REVIEW_STRINGS)
STRINGS.update(QUALITY_STRINGS)
STRINGS.update(SCOPE_STRINGS)
STRINGS.update(EDITS_STRINGS)
STRINGS.update(JOBS_STRINGS)
STRINGS.update(HYGIENE_STRINGS)
STRINGS.update(FILES_STRINGS)
STRINGS.update(ESTIMATE_STRINGS)
STRINGS.update(HYGIENE_HELD_STRINGS)
STRINGS.update(STAGE_FORM_STRINGS)
STRINGS.update(DIALOGUE_STRINGS)
STRINGS.update(CLEANING_STRINGS)
STRINGS.update(CORRECTIONS_STRINGS)
STRINGS.update(PLAYGROUND_STRINGS)
STRINGS.update(PREFERENCE_STRINGS)
STRINGS.update(EVALSETS_STRINGS)
STRINGS.update(ARENA_STRINGS)
STRINGS.update(EVALUATIONS_STRINGS)
STRINGS.update(TRAINING_STRINGS)


def current_language() -> str:
    """The language of the page being built or the browser an event came from."""
    stack = Slot.get_stack()
    if not stack:
        return LANGUAGES[0]
    try:
        code = stack[-1].parent.client.request.cookies.get(COOKIE, "")
    except RuntimeError:  # a client without a request (NiceGUI internals)
        return LANGUAGES[0]
    return code if code in LANGUAGES else LANGUAGES[0]


_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


def plural(count: object, one: str, other: str) -> str:
    """`one` for a count of exactly 1 (or -1), else `other`."""
    try:
        return one if abs(float(str(count).replace(",", ""))) == 1 else other
    except ValueError:
        return other


def t(key: str, **fields: object) -> str:
    """The string `key` in the current language, with `{name}` fields filled in and
    `{name|one|other}` chosen by the number in field `name`."""
    text = STRINGS[key][LANGUAGES.index(current_language())]
    if not fields:
        return text
    text = _PLURAL.sub(lambda m: plural(fields.get(m[1]), m[2], m[3]), text)
    return text.format(**fields)
