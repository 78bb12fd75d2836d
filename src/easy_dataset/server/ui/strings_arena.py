"""The arena screen's strings (English, Chinese)."""

from __future__ import annotations

ARENA_STRINGS: dict[str, tuple[str, str]] = {
    "nav.arena": ("Arena", "竞技场"),
    "arena.title": ("Arena", "竞技场"),
    "arena.progress": ("{voted} of {battles} voted", "已投票 {voted} / {battles}"),
    "arena.empty": (
        "No battle waits for a vote. Start “Arena battles” on the Jobs screen to have two "
        "models answer the same questions.",
        "没有待投票的对战。在“任务”页面启动“竞技场对战”，让两个模型回答相同的问题。",
    ),
    "arena.prompt": ("Prompt", "提示"),
    "arena.system": ("System prompt", "系统提示"),
    "arena.answer_a": ("A", "A"),
    "arena.answer_b": ("B", "B"),
    "arena.vote.a": ("A is better", "A 更好"),
    "arena.vote.b": ("B is better", "B 更好"),
    "arena.vote.tie": ("Tie", "平局"),
    "arena.vote.both_bad": ("Both bad", "都不好"),
    "arena.skip": ("Skip", "跳过"),
    "arena.keys": (
        "Keys: a = A better, b = B better, t = tie, x = both bad, s = skip",
        "快捷键：a = A 更好，b = B 更好，t = 平局，x = 都不好，s = 跳过",
    ),
    "arena.results": ("Results", "结果"),
    "arena.no_votes": ("No votes yet.", "还没有投票。"),
    "arena.models": (
        "Win rate per model (a tie or both bad counts half; the line is the 95 % interval)",
        "各模型胜率（平局或都不好计一半；线段为 95% 置信区间）",
    ),
    "arena.pairs": ("Win rate per pair", "各模型对胜率"),
    "arena.rate": (
        "{rate} ({low} – {high}) · {battles} {battles|battle|battles}",
        "{rate}（{low} – {high}）· {battles} 场",
    ),
    "arena.pair_name": ("{a} vs {b}", "{a} 对 {b}"),
    "arena.ranking": ("Ranking (Bradley–Terry, Elo scale)", "排名（Bradley–Terry，Elo 分）"),
    "arena.col.rank": ("Rank", "排名"),
    "arena.col.model": ("Model", "模型"),
    "arena.col.elo": ("Elo", "Elo"),
    "arena.col.record": ("Win / loss / tie / both bad", "胜 / 负 / 平 / 都不好"),
    "arena.col.part": ("Part", "分组"),
}
