"""Strings of the self-correction loop and verified citations (the domain rules setting, the
report's card and figure, the export switch), in English and Chinese."""

from __future__ import annotations

CORRECTIONS_STRINGS: dict[str, tuple[str, str]] = {
    "jobs.type.answers.refine": ("Refine answers", "答案自我修正"),
    "generation.domain_rules": ("Domain rules", "领域规则"),
    "generation.domain_rules_help": (
        "Rules every answer must follow, e.g. “Always cite the clause number”. Refining "
        "answers rewrites the answers the judge scores low by them and by its critique.",
        "每个答案都必须遵守的规则，例如“始终注明条款编号”。答案自我修正会依据这些规则和评审意见"
        "改写评分偏低的答案。",
    ),
    "export.citations": ("Include citations", "包含引文"),
    "quality.flag.citations": ("Citations", "引文核验"),
    "quality.flag.refine": ("Self-correction", "自我修正"),
    "quality.fig.verified_citations": ("Verified citations", "引文核验通过率"),
    "quality.note.citations": (
        "{verified} of {quotes} {quotes|quote|quotes} found in their chunks; {unverified} of "
        "{samples} {samples|answer|answers} with an unverified quote",
        "{quotes} 段引文中 {verified} 段在原文中找到；"
        "{samples} 个答案中有 {unverified} 个含未核验引文",
    ),
    "quality.note.no_citations": (
        "No answers with citations yet: generate or refine answers with citations on.",
        "还没有带引文的答案：生成或修正答案时请开启引文。",
    ),
    "quality.refine.title": ("Self-correction", "自我修正"),
    "quality.refine.scores": ("Judge score {before} → {after}", "评审分数 {before} → {after}"),
    "quality.cite.verified": (
        "{verified} of {quotes} {quotes|quote|quotes} found in the chunk",
        "{quotes} 段引文中 {verified} 段在原文中找到",
    ),
    "quality.refine.none": (
        "No answers refined yet: run “Refine answers” on the Jobs screen.",
        "还没有修正过的答案：请在“任务”页面运行“答案自我修正”。",
    ),
    "quality.refine.summary": (
        "{judged} {judged|answer|answers} judged; {rewritten} scored below the threshold "
        "and {rewritten|was|were} rewritten",
        "共评审 {judged} 个答案，其中 {rewritten} 个低于阈值并被改写",
    ),
    "quality.refine.passed": ("Passed", "已达标"),
    "quality.refine.improved": ("Improved", "改进"),
    "quality.refine.stayed": ("Stayed", "未变"),
    "quality.refine.worse": ("Worse", "变差"),
    "quality.refine.before": ("Mean score before", "修正前平均分"),
    "quality.refine.after": ("Mean score after", "修正后平均分"),
}
