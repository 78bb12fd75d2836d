"""Near-duplicate detection at scale: time, peak memory, precision and recall per mode.

    .venv/bin/python benchmarks/quality_scale.py [--items 100000] [--semantic-sample 1500]

Generates ITEMS distinct synthetic questions (templates x large slot vocabularies, English
and Chinese, seeded) and plants duplicates of known kinds: "exact" copies (case, spacing,
punctuation changed), "near" copies (one word swapped for a synonym, one filler inserted or
one article deleted) and "paraphrase" copies (the same question in its template's other
wording). Each mode runs in a fresh spawned process, so its peak resident memory (VmHWM)
is its own, and "+MB" is how far the mode raised it above the data it was handed:
tracemalloc would see numpy buffers too, but slows Python allocation two- to threefold
and would skew the times. The baseline, measured the same
way, is one pass of normalise() plus a blake2b hash over every text.

Semantic mode is measured twice, and the output says which is which: (a) the clustering
itself at full size on synthetic e5-like unit vectors (a shared direction and topics, as
real e5 vectors have, with planted near vectors above the threshold and related decoys
below it), since embedding 10^5 texts with e5 takes ~50 min here; (b) real
multilingual-e5-small embeddings of a smaller generated sample: throughput, precision and
recall, a threshold sweep, the recall of the inverted-file search against all pairs, and
the cosines of hand-written paraphrases and same-topic questions the threshold must split.

Precision = share of the item pairs that clusters put together which are planted
duplicates of one source; recall = share of planted (source, copy) pairs that end in one
cluster.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import multiprocessing
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from easy_dataset.quality import dedup, vector_search
from easy_dataset.quality.dedup import Cluster, DedupItem

KINDS = ("exact", "swap", "insert", "delete", "paraphrase")
NEAR = ("swap", "insert", "delete")  # the "near" copies: one word edited
RATES = {"exact": 0.02, "swap": 0.01, "insert": 0.01, "delete": 0.01, "paraphrase": 0.01}
SAMPLE_RATES = {"exact": 0.04, "swap": 0.02, "insert": 0.02, "delete": 0.02, "paraphrase": 0.06}


def words(separator: str | None, text: str) -> list[str]:
    """The vocabulary in `text`, split on `separator` (whitespace when None)."""
    return text.split(separator)


# Each template has two wordings of one question; the second makes paraphrase copies.
TEMPLATES = [
    (
        "What is the role of {x} in {c}, and how does it affect {y} for {g}?",
        "What role does {x} play in {c}, and what effect does it have on {y} for {g}?",
    ),
    (
        "How should {g} prepare {x} before {c}, and which mistakes with {y} should they avoid?",
        "Before {c}, how ought {g} to get {x} ready, and what errors involving {y} must "
        "they avoid?",
    ),
    (
        "According to the text, why does {x} change during {c}, and what does this mean for {y}?",
        "Based on the passage, what causes {x} to change in {c}, and what are the "
        "implications for {y}?",
    ),
    (
        "Which factors determine whether {x} can replace {y} in {c} for {g}?",
        "What factors decide if {x} is able to substitute for {y} in {c} for {g}?",
    ),
    (
        "What are the main differences between {x} and {y} when {g} work in {c}?",
        "How do {x} and {y} mainly differ when {g} are working in {c}?",
    ),
    (
        "Explain step by step how {g} measure {x} in {c} and how they record {y}.",
        "Describe the step-by-step process {g} use to measure {x} in {c} and to record {y}.",
    ),
    (
        "Under what conditions does {x} fail in {c}, and how can {g} detect problems with "
        "{y} early?",
        "When does {x} fail in {c}, and how are {g} able to spot issues with {y} at an "
        "early stage?",
    ),
    (
        "What evidence does the document give that {x} improves {y} in {c}?",
        "What proof does the document offer that {x} makes {y} better in {c}?",
    ),
    (
        "How long does {x} usually take to affect {y} in {c}, and what should {g} monitor "
        "meanwhile?",
        "Typically, how much time passes before {x} affects {y} in {c}, and what should {g} "
        "keep an eye on in the meantime?",
    ),
    (
        "Why do {g} recommend checking {x} before {y} in {c}?",
        "For what reason do {g} advise inspecting {x} prior to {y} in {c}?",
    ),
    (
        "What risks arise if {g} ignore {x} while handling {y} in {c}?",
        "What dangers come up when {g} overlook {x} while dealing with {y} in {c}?",
    ),
    (
        "How does the author compare {x} with {y} in the section on {c}?",
        "In the section about {c}, how does the author contrast {x} with {y}?",
    ),
    (
        "What happens to {y} when {x} is removed from {c}, according to {g}?",
        "According to {g}, what becomes of {y} once {x} is taken out of {c}?",
    ),
    (
        "Which tools do {g} need to inspect {x} in {c}, and how often should {y} be tested?",
        "What equipment is required by {g} to examine {x} in {c}, and how frequently should "
        "{y} be checked?",
    ),
    (
        "Can {x} be used instead of {y} in {c}, and what limits does the text mention for {g}?",
        "Is it possible to use {x} in place of {y} in {c}, and which limitations does the "
        "text note for {g}?",
    ),
    (
        "What is the recommended order for applying {x} and {y} in {c} for {g}?",
        "In which order should {g} apply {x} and {y} in {c}, as recommended?",
    ),
]
TEMPLATES_ZH = [
    (
        "在{c}中，{g}应该如何检查{x}，{y}会受到什么影响？",
        "{g}在{c}里要怎样检查{x}，{y}又会受到哪些影响？",
    ),
    ("为什么{g}认为在{c}时{x}比{y}更合适？", "{g}为何觉得在{c}时{x}优于{y}？"),
    (
        "{x}在{c}中出现问题时，{g}应当采取哪些措施来保护{y}？",
        "当{c}中的{x}出现故障，{g}该用什么办法保护{y}？",
    ),
    (
        "根据文中的说法，{g}眼中{x}和{y}在{c}中的主要区别是什么？",
        "按照文章的描述，{g}认为{c}里{x}与{y}主要有哪些不同？",
    ),
    (
        "{g}在{c}期间多久需要更换一次{x}，{y}需要一起更换吗？",
        "{c}期间{g}应隔多长时间更换{x}，是否也要同时更换{y}？",
    ),
    (
        "如果{g}在{c}中忽视了{x}，{y}会面临哪些风险？",
        "{c}中{g}要是忽略了{x}，{y}可能遇到什么风险？",
    ),
]

ADJECTIVES = words(
    None,
    "fresh aged damaged sealed imported local seasonal wild heated frozen diluted concentrated "
    "organic synthetic certified untreated refurbished experimental standard backup primary "
    "secondary external internal portable heavy lightweight ceramic copper wooden plastic "
    "digital analogue manual automatic coastal urban rural northern southern early late",
)
NOUNS = words(
    "|",
    "queen cells|brood frames|honey supers|wax foundation|pollen traps|varroa mites|smoker fuel|"
    "sugar syrup|propolis samples|drone comb|hive scales|entrance reducers|queen excluders|"
    "lease agreements|liability clauses|witness statements|court filings|patent claims|"
    "arbitration rules|tax returns|invoices|audit trails|insulin doses|blood samples|"
    "wound dressings|vaccine vials|dialysis filters|heart monitors|antibiotic courses|"
    "cylinder heads|brake pads|timing belts|fuel injectors|coolant hoses|spark plugs|"
    "turbine blades|welding seams|hydraulic valves|circuit breakers|solar panels|"
    "battery cells|network switches|firewall rules|database indexes|backup tapes|"
    "load balancers|container images|API tokens|log files|sourdough starters|bread flour|"
    "cast iron pans|spice blends|wine barrels|cheese rinds|coffee beans|tea leaves|"
    "seed potatoes|greenhouse vents|irrigation pipes|compost heaps|fruit trees|dairy herds|"
    "sheep fleeces|grain silos|fishing nets|river levees|bridge bearings|railway sleepers|"
    "roof tiles|window seals|concrete slabs|steel beams|paint layers|museum archives|"
    "parish records|old maps|court transcripts|school timetables|exam papers|lab notebooks|"
    "microscope slides|telescope mirrors|weather balloons|rain gauges|seismic sensors|"
    "ship hulls|aircraft tyres|cargo manifests|shipping containers|pallet racks|"
    "forklift batteries|freezer rooms|ventilation ducts|water pumps|gas meters",
)
CONTEXTS = words(
    "|",
    "winter storage|the first spring inspection|contract negotiation|a tenancy dispute|"
    "emergency triage|post-operative care|a routine service|cold weather starts|"
    "a network outage|a database migration|the harvest season|long-term storage|"
    "a flood warning|a heatwave|night shifts|export paperwork|a product recall|"
    "quality audits|field trials|classroom teaching|archive digitisation|a kitchen rush|"
    "overnight fermentation|a building survey|a safety drill|customs clearance|"
    "a power failure|peak demand|a software release|clinical trials|pest outbreaks|"
    "drought conditions|a ship inspection|runway maintenance|a bridge load test|"
    "a court hearing|an insurance claim|a tax investigation|a factory shutdown|"
    "a museum loan|a school inspection|an earthquake drill|rapid expansion|"
    "a supplier change|a cold chain failure|a vaccination campaign|an energy audit|"
    "a data breach|a product launch|a wedding banquet",
)
GROUPS = words(
    "|",
    "beekeepers|junior lawyers|nurses|mechanics|site engineers|system administrators|"
    "bakers|farmers|archivists|teachers|pharmacists|auditors|pilots|dock workers|"
    "inspectors|lab technicians|chefs|electricians|surveyors|paramedics|accountants|"
    "museum curators|fishermen|logistics managers|students|researchers|landlords|"
    "tenants|small businesses|hospital managers|plumbers|translators|vintners|"
    "software developers|security analysts|dairy farmers|carpenters|geologists",
)
ADJECTIVES_ZH = words(
    None, "进口的 新鲜的 受损的 密封的 本地的 备用的 老化的 便携式 大型 小型 新型 二手"
)
NOUNS_ZH = words(
    None,
    "蜂王浆 巢框 花粉 蜂蜡 蜂箱 租赁合同 违约条款 证人证言 胰岛素 血样 疫苗 缸盖 刹车片 正时皮带 "
    "喷油嘴 涡轮叶片 焊缝 液压阀 断路器 太阳能板 电池组 交换机 防火墙规则 数据库索引 备份磁带 "
    "酵母 面粉 咖啡豆 茶叶 种薯 灌溉管道 堆肥 果树 奶牛 粮仓 渔网 堤坝 桥梁支座 屋面瓦 钢梁 档案 "
    "地图 试卷 显微镜 雨量计 地震仪 船体 轮胎 货柜 冷库 水泵 燃气表",
)
CONTEXTS_ZH = words(
    None,
    "冬季储存 春季检查 合同谈判 租赁纠纷 急诊分诊 术后护理 例行保养 低温启动 网络中断 数据迁移 "
    "收获季节 长期保存 洪水预警 高温天气 夜班 出口报关 产品召回 质量审核 田间试验 课堂教学 "
    "档案数字化 厨房高峰 建筑检测 安全演练 停电事故 用电高峰 软件发布 临床试验 虫害爆发 干旱时期",
)
GROUPS_ZH = words(
    None,
    "养蜂人 律师 护士 技师 工程师 管理员 面包师 农民 档案员 教师 药剂师 审计员 飞行员 检查员 "
    "新手养蜂人 实习律师 值班护士 维修技师 现场工程师 厨师 电工 测量员 研究人员 学生",
)

SYNONYMS = {
    "main": "principal",
    "usually": "typically",
    "recommend": "advise",
    "risks": "dangers",
    "change": "vary",
    "improves": "enhances",
    "problems": "issues",
    "measure": "gauge",
    "tools": "instruments",
    "detect": "identify",
    "prepare": "ready",
    "mistakes": "errors",
    "factors": "considerations",
    "evidence": "support",
    "ignore": "neglect",
    "compare": "contrast",
    "removed": "withdrawn",
    "inspect": "examine",
    "limits": "restrictions",
    "order": "sequence",
    "affect": "influence",
    "happens": "occurs",
    "need": "require",
    "often": "frequently",
    "explain": "describe",
    "conditions": "circumstances",
    "replace": "substitute",
    "document": "report",
    "monitor": "watch",
    "checking": "verifying",
}
FILLERS = ["really", "actually", "typically", "exactly", "generally", "precisely"]
SYNONYMS_ZH = {
    "如何": "怎样",
    "影响": "作用",
    "主要": "重要",
    "措施": "办法",
    "检查": "检验",
    "为什么": "为何",
}
FILLERS_ZH = ["具体", "通常", "一般"]

# Hand-written calibration pairs: real rewordings, and same-topic questions that ask
# something else. Template paraphrases above share every slot word, so they sit at 0.98+;
# these show where the threshold has to fall.
PARAPHRASES = [
    (
        "What is the role of drones in a honey bee colony?",
        "What role do drones play in a honeybee colony?",
    ),
    (
        "How do beekeepers prevent swarming in spring?",
        "How can a beekeeper stop a colony from swarming in the spring?",
    ),
    (
        "Why does the queen bee lay unfertilised eggs?",
        "Why does a queen bee lay eggs that are not fertilised?",
    ),
    (
        "What is the statute of limitations for breach of contract?",
        "What's the statute of limitations for a breach of contract claim?",
    ),
    ("How is type 2 diabetes diagnosed?", "How do doctors diagnose type 2 diabetes?"),
    (
        "What torque should be applied to the cylinder head bolts?",
        "What is the correct torque for cylinder head bolts?",
    ),
    ("什么是蜂王浆？", "蜂王浆是什么？"),
    (
        "How do I reset the router to factory settings?",
        "How can I restore the router to its factory settings?",
    ),
]
RELATED = [
    (
        "What is the role of drones in a honey bee colony?",
        "What is the role of worker bees in a honey bee colony?",
    ),
    ("How do beekeepers prevent swarming in spring?", "How do beekeepers feed colonies in winter?"),
    ("How is type 2 diabetes diagnosed?", "How is type 2 diabetes treated?"),
    (
        "What is the statute of limitations for breach of contract?",
        "What are the remedies for breach of contract?",
    ),
    (
        "What torque should be applied to the cylinder head bolts?",
        "What torque should be applied to the wheel nuts?",
    ),
    ("How do I reset the router to factory settings?", "How do I update the router firmware?"),
    (
        "What is the role of drones in a honey bee colony?",
        "What is the role of drones in modern warfare?",
    ),
]


@dataclass
class Dataset:
    items: list[DedupItem]
    group: list[int]  # the source each item copies (itself for an original)
    planted: list[tuple[int, int, str]]  # (source position, copy position, kind)


def _english(rng: random.Random) -> tuple[int, dict[str, str]]:
    x, y = rng.sample(NOUNS, 2)
    slots = {
        "x": f"{rng.choice(ADJECTIVES)} {x}",
        "y": f"{rng.choice(ADJECTIVES)} {y}",
        "c": rng.choice(CONTEXTS),
        "g": rng.choice(GROUPS),
    }
    return rng.randrange(len(TEMPLATES)), slots


def _chinese(rng: random.Random) -> tuple[int, dict[str, str]]:
    x, y = rng.sample(NOUNS_ZH, 2)
    slots = {
        "x": rng.choice(ADJECTIVES_ZH) + x,
        "y": rng.choice(ADJECTIVES_ZH) + y,
        "c": rng.choice(CONTEXTS_ZH),
        "g": rng.choice(GROUPS_ZH),
    }
    return rng.randrange(len(TEMPLATES_ZH)), slots


def parts_of(value: str, slot: str, chinese: bool) -> list[tuple[str, str]]:
    """A slot's words tagged with where they sit: an (adjective, noun) slot gives two."""
    if slot not in "xy":
        return [(slot, value)]
    if chinese:
        adjective = next(word for word in ADJECTIVES_ZH if value.startswith(word))
        return [(slot + "a", adjective), (slot + "n", value[len(adjective) :])]
    adjective, noun = value.split(" ", 1)
    return [(slot + "a", adjective), (slot + "n", noun)]


def exact_copy(text: str, rng: random.Random) -> str:
    """The same text with case, spacing or punctuation changed."""
    edits: list[Callable[[str], str]] = [
        str.lower,
        str.upper,
        lambda t: t.replace(", ", " , ").replace("?", " ?!"),
        lambda t: "  " + t.replace(" ", "  ").rstrip("?？.") + " ...",
        lambda t: t.replace("?", "？").replace(",", "，"),
        lambda t: t[:1].lower() + t[1:].replace(",", ""),
    ]
    return rng.choice(edits)(text)


def near_copy(text: str, rng: random.Random, chinese: bool, kind: str) -> tuple[str, str]:
    """The text with one word swapped for a synonym, one filler inserted or one word deleted
    (an insert where the asked edit has nothing to work on), and the edit made."""
    if chinese:
        swaps = [word for word in SYNONYMS_ZH if word in text]
        if kind == "swap" and swaps:
            word = rng.choice(swaps)
            return text.replace(word, SYNONYMS_ZH[word], 1), kind
        if kind == "delete" and "的" in text:
            return text.replace("的", "", 1), kind
        cut = rng.randrange(2, len(text) - 2)
        return text[:cut] + rng.choice(FILLERS_ZH) + text[cut:], "insert"
    words = text.split(" ")
    swappable = [i for i, word in enumerate(words) if word.lower().strip("?,.") in SYNONYMS]
    if kind == "swap" and swappable:
        i = rng.choice(swappable)
        bare = words[i].lower().strip("?,.")
        words[i] = words[i].replace(bare, SYNONYMS[bare]).replace(bare.title(), SYNONYMS[bare])
    elif kind == "delete":
        articles = [i for i, word in enumerate(words) if word in ("the", "a", "an")]
        del words[rng.choice(articles) if articles else rng.randrange(1, len(words))]
    else:
        words.insert(rng.randrange(1, len(words)), rng.choice(FILLERS))
        kind = "insert"
    return " ".join(words), kind


def generate(count: int, seed: int, rates: dict[str, float]) -> Dataset:
    """`count` items: distinct originals plus planted copies at the given rates."""
    rng = random.Random(seed)
    copies = {kind: int(count * rate) for kind, rate in rates.items()}
    originals = count - sum(copies.values())
    # Two originals of one template share at most two of its slot words (adjective, noun,
    # context, group): with more in common, "distinct" questions are near-duplicates in fact.
    seen: set[int] = set()
    texts: list[str] = []
    sources: list[tuple[bool, int, dict[str, str]]] = []
    while len(texts) < originals:
        chinese = rng.random() < 0.1
        template, slots = _chinese(rng) if chinese else _english(rng)
        wording = (TEMPLATES_ZH if chinese else TEMPLATES)[template][0]
        parts = [
            part
            for slot in "xycg"
            if "{" + slot + "}" in wording
            for part in parts_of(slots[slot], slot, chinese)
        ]
        keys = [hash((chinese, template, *trio)) for trio in itertools.combinations(parts, 3)]
        if any(key in seen for key in keys):
            continue
        seen.update(keys)
        text = wording.format(**slots)
        texts.append(text)
        sources.append((chinese, template, slots))
    group = list(range(len(texts)))
    planted: list[tuple[int, int, str]] = []
    for planned, number in copies.items():
        for source in rng.sample(range(originals), number):
            kind = planned
            chinese, template, slots = sources[source]
            if kind == "exact":
                text = exact_copy(texts[source], rng)
            elif kind == "paraphrase":
                text = (TEMPLATES_ZH if chinese else TEMPLATES)[template][1].format(**slots)
            else:
                text, kind = near_copy(texts[source], rng, chinese, kind)
            planted.append((source, len(texts), kind))
            group.append(source)
            texts.append(text)
    order = list(range(len(texts)))
    rng.shuffle(order)  # ids must say nothing about which item is a copy
    position = {old: new for new, old in enumerate(order)}
    items = [DedupItem(id=new, text=texts[old]) for new, old in enumerate(order)]
    return Dataset(
        items=items,
        group=[position[group[old]] for old in order],
        planted=[(position[a], position[b], kind) for a, b, kind in planted],
    )


def score(clusters: list[Cluster], data: Dataset) -> dict[str, Any]:
    """Precision over the pairs the clusters imply, recall over planted pairs, per kind too."""
    where: dict[int, int] = {}
    implied = correct = 0
    for number, cluster in enumerate(clusters):
        for member in cluster.members:
            where[member] = number
        sources = Counter(data.group[member] for member in cluster.members)
        size = len(cluster.members)
        implied += size * (size - 1) // 2
        correct += sum(k * (k - 1) // 2 for k in sources.values())
    found = Counter[str]()
    total = Counter[str]()
    for source, copy, kind in data.planted:
        total[kind] += 1
        if source in where and where.get(copy) == where[source]:
            found[kind] += 1
    return {
        "clusters": len(clusters),
        "pairs": implied,
        "precision": correct / implied if implied else 1.0,
        "recall": sum(found.values()) / max(sum(total.values()), 1),
        "by_kind": {kind: found[kind] / total[kind] for kind in total},
    }


def peak_mb() -> float:
    """This process's peak resident set (VmHWM) in MB.

    Not ru_maxrss: Linux carries that across fork and exec, so a spawned child would
    report its parent's peak; VmHWM belongs to the address space exec creates.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def text_mode(mode: str, data: Dataset, threshold: float | None) -> dict[str, Any]:
    """One text mode (or the baseline) over the dataset, timed in this process."""
    before = peak_mb()
    started = time.perf_counter()
    if mode == "baseline":
        for item in data.items:
            hashlib.blake2b(dedup.normalise(item.text).encode(), digest_size=8).digest()
        figures: dict[str, Any] = {}
    else:
        clusters = dedup.find_clusters(data.items, mode, threshold=threshold)
        figures = score(clusters, data)
    return {"time": time.perf_counter() - started, "before": before, "peak": peak_mb(), **figures}


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32."""
    scaled: np.ndarray = (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)
    return scaled


def synthetic_vectors(
    count: int, seed: int, threshold: float
) -> tuple[np.ndarray, Dataset, list[tuple[int, int]]]:
    """e5-like unit vectors with planted near vectors (the truth) and decoys (to leave apart)."""
    rng = np.random.default_rng(seed)
    dim = 384
    # e5-like geometry: every vector shares one direction (unrelated cosines ~0.8) and leans
    # towards one of 300 topics, so k-means meets clusters rather than uniform noise.
    common = unit(rng.standard_normal(dim))
    topics = unit(rng.standard_normal((300, dim)))
    spread = unit(
        0.6 * topics[rng.integers(0, 300, count)] + 0.8 * unit(rng.standard_normal((count, dim)))
    )
    vectors = unit(np.sqrt(0.8) * common + np.sqrt(0.2) * spread)
    near, decoys = int(count * 0.05), int(count * 0.02)
    chosen = rng.permutation(count)[: 2 * (near + decoys)]
    sources, copies = chosen[: near + decoys], chosen[near + decoys :]
    # Planted copies sit at exact cosines: near ones just above the threshold up to 0.995,
    # decoys ("same topic, other question") between 0.90 and just below the threshold.
    target = np.concatenate(
        [rng.uniform(threshold + 0.001, 0.995, near), rng.uniform(0.90, threshold - 0.001, decoys)]
    )
    noise = rng.standard_normal((len(sources), dim))
    noise -= np.sum(noise * vectors[sources], axis=1, keepdims=True) * vectors[sources]
    vectors[copies] = unit(
        target[:, None] * vectors[sources] + np.sqrt(1 - target[:, None] ** 2) * unit(noise)
    )
    pairs = [(int(a), int(b)) for a, b in zip(sources, copies, strict=True)]
    group = list(range(count))
    for source, copy in pairs[:near]:
        group[copy] = source
    data = Dataset(
        items=[DedupItem(id=i, text="") for i in range(count)],
        group=group,
        planted=[(a, b, "near") for a, b in pairs[:near]],
    )
    return vectors, data, pairs[near:]


def semantic_synthetic(
    path: str, data: Dataset, decoys: list[tuple[int, int]], threshold: float
) -> dict[str, Any]:
    """Semantic clustering of the saved synthetic vectors, timed in this process."""
    vectors = np.load(path)
    before = peak_mb()
    started = time.perf_counter()
    clusters = dedup.semantic_clusters(data.items, vectors, threshold)
    elapsed = time.perf_counter() - started
    cluster_of = {member: n for n, cluster in enumerate(clusters) for member in cluster.members}
    linked = sum(1 for a, b in decoys if a in cluster_of and cluster_of.get(b) == cluster_of[a])
    return {
        "time": elapsed,
        "before": before,
        "peak": peak_mb(),
        **score(clusters, data),
        "decoys": len(decoys),
        "decoys_linked": linked,
    }


def semantic_real(count: int, seed: int, thresholds: list[float]) -> dict[str, Any]:
    """Real e5 embeddings of a generated sample: throughput, P/R per threshold, IVF recall."""
    from easy_dataset.quality.embedding import E5Embedder

    data = generate(count, seed + 1, SAMPLE_RATES)
    embedder = E5Embedder()
    embedder.embed(["warm up"])
    texts = [item.text for item in data.items]
    before = peak_mb()
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    embed_time = time.perf_counter() - started
    sweep = {}
    for threshold in thresholds:
        sweep[threshold] = score(dedup.semantic_clusters(data.items, vectors, threshold), data)
    started = time.perf_counter()
    clusters = dedup.semantic_clusters(data.items, vectors)
    cluster_time = time.perf_counter() - started
    exact_pairs = vector_search.cosine_pairs(vectors, dedup.DEFAULT_SEMANTIC_THRESHOLD)
    vector_search.EXACT_COSINE_MAX = 0  # force the inverted-file search used above 8192 vectors
    ivf_pairs = vector_search.cosine_pairs(vectors, dedup.DEFAULT_SEMANTIC_THRESHOLD)
    every = set(zip(exact_pairs[0].tolist(), exact_pairs[1].tolist(), strict=True))
    ivf = set(zip(ivf_pairs[0].tolist(), ivf_pairs[1].tolist(), strict=True))
    others = {
        mode: score(dedup.find_clusters(data.items, mode), data) for mode in ("exact", "minhash")
    }
    calibration = {}
    for name, pairs in (("paraphrases", PARAPHRASES), ("related", RELATED)):
        first = embedder.embed([a for a, _ in pairs])
        second = embedder.embed([b for _, b in pairs])
        calibration[name] = np.sum(first * second, axis=1).tolist()
    return {
        "items": len(texts),
        "embed_time": embed_time,
        "cluster_time": cluster_time,
        "before": before,
        "peak": peak_mb(),
        "default": score(clusters, data),
        "sweep": sweep,
        "ivf_recall": len(every & ivf) / len(every) if every else 1.0,
        "ivf_pairs": (len(every), len(ivf)),
        "others": others,
        "calibration": calibration,
    }


def job_mode(texts: list[str], mode: str) -> dict[str, Any]:
    """The `quality.dedup` job end to end: questions in SQLite, read, clustered, marked."""
    from sqlalchemy import insert

    from easy_dataset.config import Settings
    from easy_dataset.services import App, projects, quality
    from easy_dataset.store.dataset import QAPair, Question

    with tempfile.TemporaryDirectory(prefix="easy-dataset-dedup-job-") as home:
        app = App(Settings.load(home=Path(home)))
        project = projects.create_project(app, "bench")
        started = time.perf_counter()
        with app.db.session() as session:
            for start in range(0, len(texts), 10_000):
                rows = [
                    {"project_id": project.id, "text": text, "provenance": {}}
                    for text in texts[start : start + 10_000]
                ]
                session.execute(insert(Question), rows)
                pairs = [
                    {"project_id": project.id, "question": text, "answer": "", "provenance": {}}
                    for text in texts[start : start + 10_000]
                ]
                session.execute(insert(QAPair), pairs)
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        summary = quality.run_check(app, project.id, "dedup", target="questions", mode=mode)
        elapsed = time.perf_counter() - started
        _, clusters = quality.list_clusters(app, project.id, "questions", limit=1)
        started = time.perf_counter()
        quality.build_report(app, project.id)
        report = time.perf_counter() - started
        app.close()
    return {
        "seeded": seeded,
        "time": elapsed,
        "status": summary.status,
        "clusters": clusters,
        "report": report,
    }


def fresh(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`function(*args)` in a newly spawned process, so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def kinds(result: dict[str, Any]) -> str:
    by_kind = result.get("by_kind", {})
    order = [kind for kind in KINDS if kind in by_kind] + sorted(set(by_kind) - set(KINDS))
    return "  ".join(f"{kind} {by_kind[kind]:.3f}" for kind in order)


def rates_text(rates: dict[str, float]) -> str:
    return ", ".join(f"{rate:.0%} {kind}" for kind, rate in rates.items())


def row(name: str, result: dict[str, Any], baseline: float) -> str:
    grown = max(result["peak"] - result["before"], 0.0)
    figures = (
        f"{name:<16} {result['time']:8.2f} {result['time'] / baseline:7.1f}x "
        f"{result['peak']:8.0f} {grown:7.0f}"
    )
    if "precision" not in result:
        return figures
    return (
        f"{figures} {result['clusters']:9d} {result['pairs']:8d} "
        f"{result['precision']:9.4f} {result['recall']:7.4f}   {kinds(result)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--semantic-sample", type=int, default=1500, help="texts embedded by e5")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    threshold = dedup.DEFAULT_SEMANTIC_THRESHOLD
    started = time.perf_counter()
    data = generate(args.items, args.seed, RATES)
    generated = time.perf_counter() - started
    baseline = fresh(text_mode, "baseline", data, None)
    runs = {
        "exact": fresh(text_mode, "exact", data, None),
        "minhash 0.7": fresh(text_mode, "minhash", data, 0.7),
        "minhash 0.5": fresh(text_mode, "minhash", data, 0.5),
    }
    vectors, synthetic_data, decoys = synthetic_vectors(args.items, args.seed, threshold)
    with tempfile.TemporaryDirectory(prefix="easy-dataset-dedup-") as folder:
        path = str(Path(folder) / "vectors.npy")
        np.save(path, vectors)
        del vectors  # the child loads its own copy: only clustering counts in its peak
        runs[f"semantic {threshold}"] = fresh(
            semantic_synthetic, path, synthetic_data, decoys, threshold
        )
    sweep = [0.93, 0.95, 0.96, threshold, 0.97, 0.98]
    real = fresh(semantic_real, args.semantic_sample, args.seed, sweep)
    texts = [item.text for item in data.items]
    jobs = {mode: fresh(job_mode, texts, mode) for mode in ("exact", "minhash")}

    base = baseline["time"]
    print(
        f"{args.items} synthetic questions (seed {args.seed}, generated in {generated:.1f} s), "
        f"planted copies: {rates_text(RATES)}"
    )
    print(
        f"baseline: normalise + blake2b of every text {base:.2f} s, peak {baseline['peak']:.0f} MB"
    )
    print(
        f"{'mode':<16} {'time s':>8} {'x base':>8} {'peak MB':>8} {'+MB':>7} "
        f"{'clusters':>9} {'pairs':>8} {'precision':>9} {'recall':>7}   recall by kind"
    )
    for name, result in runs.items():
        print(row(name, result, base))
    synthetic = runs[f"semantic {threshold}"]
    print(
        f"  semantic row: synthetic e5-like unit vectors (384-d), not texts; 5% near vectors at "
        f"cosine {threshold + 0.001:.3f}-0.995 planted, {synthetic['decoys']} decoys at "
        f"0.90-{threshold - 0.001:.3f} of which {synthetic['decoys_linked']} linked"
    )
    print(
        "  precision = planted-duplicate share of the item pairs clusters imply; "
        "recall = planted (source, copy) pairs ending in one cluster"
    )
    print()
    print(
        f"real e5 (multilingual-e5-small) embeddings of a generated sample: {real['items']} "
        f"texts, planted copies: {rates_text(SAMPLE_RATES)}"
    )
    rate = real["items"] / real["embed_time"]
    print(
        f"  embedding {real['embed_time']:.1f} s = {rate:.1f} texts/s "
        f"(so {args.items} texts would take {args.items / rate / 60:.0f} min); clustering "
        f"{real['cluster_time']:.3f} s; peak {real['peak']:.0f} MB"
    )
    print(
        f"  {'threshold':>9} {'clusters':>9} {'pairs':>6} {'precision':>9} {'recall':>7}   by kind"
    )
    for value, result in real["sweep"].items():
        mark = "  <- default" if value == threshold else ""
        print(
            f"  {value:9.3f} {result['clusters']:9d} {result['pairs']:6d} "
            f"{result['precision']:9.4f} {result['recall']:7.4f}   {kinds(result)}{mark}"
        )
    every, ivf = real["ivf_pairs"]
    print(
        f"  inverted-file search forced on this sample: {real['ivf_recall']:.4f} of the "
        f"{every} pairs all-pairs finds (it found {ivf})"
    )
    low, high = min(real["calibration"]["paraphrases"]), max(real["calibration"]["related"])
    print(
        f"  hand-written pairs: {len(PARAPHRASES)} real paraphrases at cosine {low:.4f}-"
        f"{max(real['calibration']['paraphrases']):.4f}; {len(RELATED)} same-topic, different "
        f"questions at {min(real['calibration']['related']):.4f}-{high:.4f}; threshold "
        f"{threshold} {'separates' if high < threshold <= low else 'does NOT separate'} them"
    )
    for mode, result in real["others"].items():
        print(
            f"  same sample, {mode:<8} precision {result['precision']:.4f} recall "
            f"{result['recall']:.4f}   {kinds(result)}"
        )
    print()
    print(
        f"through the product: the quality.dedup job on {args.items} questions in SQLite "
        "(and as many QA pairs)"
    )
    for mode, result in jobs.items():
        print(
            f"  {mode:<8} job {result['time']:6.2f} s ({result['status']}; read, cluster, mark: "
            f"{result['clusters']} clusters); seeding the rows took {result['seeded']:.1f} s; "
            f"the report over as many QA pairs {result['report']:.2f} s"
        )


if __name__ == "__main__":
    main()
