"""Strings of the preference data screen and the report's judge-agreement card, in English
and Chinese."""

from __future__ import annotations

PREFERENCE_STRINGS: dict[str, tuple[str, str]] = {
    "nav.preferences": ("Preferences", "偏好数据"),
    "preferences.help": (
        "Pairs of a chosen and a rejected answer for DPO training: from arena votes, from the "
        "best and worst judged drafts of refined answers, and from your edits (your answer "
        "chosen over the model's).",
        "用于 DPO 训练的优选/劣选答案对：来自竞技场投票、答案修正中评分最高与最低的草稿，"
        "以及人工编辑（编辑后的答案优于模型原答案）。",
    ),
    "preferences.summary": (
        "{total} {total|pair|pairs}: {arena} from the arena, {judge} from the judge, {edit} "
        "from edits",
        "共 {total} 对：竞技场 {arena} 对，评审 {judge} 对，人工编辑 {edit} 对",
    ),
    "preferences.sources": ("Sources", "来源"),
    "preferences.source.arena": ("Arena", "竞技场"),
    "preferences.source.judge": ("Judge", "评审"),
    "preferences.source.edit": ("Edits", "人工编辑"),
    "preferences.min_margin": ("Least judge margin (0–5)", "评审最小分差（0–5）"),
    "preferences.confirmed_only": ("Confirmed only", "仅已确认"),
    "preferences.format": ("Format", "格式"),
    "preferences.export": ("Export", "导出"),
    "preferences.col.source": ("Source", "来源"),
    "preferences.col.prompt": ("Prompt", "提示"),
    "preferences.col.chosen": ("Chosen", "优选"),
    "preferences.col.rejected": ("Rejected", "劣选"),
    "preferences.col.margin": ("Margin", "分差"),
    "preferences.none": ("No preference pairs yet.", "还没有偏好数据。"),
    "quality.agree.title": ("Judge agreement with reviewers", "评审与人工的一致性"),
    "quality.agree.spearman": (
        "Spearman correlation of scores: {rho} over {n} rated {n|sample|samples}",
        "评分的 Spearman 相关系数：{rho}（{n} 个已评分样本）",
    ),
    "quality.agree.kappa": (
        "Cohen's kappa on pass / fail: {kappa} ({band}) over {n} {n|sample|samples}; observed "
        "agreement {observed}%, by chance {expected}%",
        "通过/不通过的 Cohen's kappa：{kappa}（{band}），共 {n} 个样本；实际一致率 {observed}%，"
        "偶然一致率 {expected}%",
    ),
    "quality.agree.table": (
        "Both pass {both_pass} · judge only {judge_only} · reviewer only {reviewer_only} · "
        "both fail {both_fail}",
        "均通过 {both_pass} · 仅评审通过 {judge_only} · 仅人工通过 {reviewer_only} · "
        "均不通过 {both_fail}",
    ),
    "quality.agree.too_few": (
        "Too few samples both judged and reviewed (at least 3): rate samples or review the "
        "sample, and run the judge.",
        "同时经过评审和人工审核的样本太少（至少 3 个）：请为样本打分或审核抽样，并运行评审。",
    ),
    "quality.agree.constant": (
        "Every sample got the same verdict, so agreement cannot be measured yet.",
        "所有样本的结论相同，暂时无法衡量一致性。",
    ),
    "quality.agree.basis": (
        "The judge passes a score of {judge}/5 or more; a reviewer a rating of {reviewer}/5 or "
        "more, or a sample verdict of ok.",
        "评审分数 ≥ {judge}/5 视为通过；人工评分 ≥ {reviewer}/5 或抽样审核结论为正确视为通过。",
    ),
    "quality.agree.advice.trust": (
        "Filtering by the judge's score can be trusted.",
        "可以放心按评审分数自动筛选。",
    ),
    "quality.agree.advice.check": (
        "Filter by the judge's score, but spot-check what it drops.",
        "可按评审分数筛选，但请抽查被剔除的样本。",
    ),
    "quality.agree.advice.distrust": (
        "Do not filter by the judge's score alone.",
        "不要仅凭评审分数筛选。",
    ),
    "quality.agree.band.poor": ("poor", "差"),
    "quality.agree.band.slight": ("slight", "轻微"),
    "quality.agree.band.fair": ("fair", "一般"),
    "quality.agree.band.moderate": ("moderate", "中等"),
    "quality.agree.band.substantial": ("substantial", "较强"),
    "quality.agree.band.almost_perfect": ("almost perfect", "几乎完全一致"),
}
