"""The Evol-Instruct prompts ("EvolvedPrompt"): the question in <prompt> evolved.

In depth, the question gets one sentence added for the method the prompt states; in
breadth, a new question on the same subject. Planted failures, by a marker in the question:
"[same]" comes back unchanged (eliminated: no change), "[copy]" comes back prefixed with
"#Rewritten Prompt#:" (eliminated: copied prompt words).
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_kinds import shapes
from tests.fake_kinds.text import first

_PROMPT = re.compile(r"<prompt>\s*(.*?)\s*</prompt>", re.DOTALL)
ADDED = {
    "Add one more constraint": "Answer in no more than three sentences and name one exception.",
    "increase the depth": "Also explain why this matters and what follows from it in practice.",
    "more specific ones": "Take the case of a hive of forty thousand bees in early spring.",
    "several steps": "Reason step by step: state the rule, apply it, then check the result.",
    "增加一个约束": "请用不超过三句话回答，并指出一个例外。",
    "加深并拓宽": "并说明其原因以及在实践中的影响。",
    "更具体的概念": "以早春一个有四万只蜜蜂的蜂群为例。",
    "多个步骤": "请分步推理：先说明规则，再加以应用，最后检验结果。",
}
BREADTH = {
    "en": "Which rarely noticed factor changes the outcome here, and how would an expert check it?",
    "zh": "哪个很少被注意的因素会改变这里的结果？专家会如何检验它？",
}


@shapes("EvolvedPrompt")
def evolved_prompt(schema: dict[str, Any], user_texts: list[str]) -> dict[str, Any]:
    found = first(_PROMPT, user_texts)
    given = found.group(1) if found else "What do bees do?"
    text = "\n".join(user_texts)
    if "[same]" in given:
        return {"prompt": given}
    if "[copy]" in given:
        return {"prompt": f"#Rewritten Prompt#: {given}"}
    for directive, sentence in ADDED.items():
        if directive in text:
            return {"prompt": f"{given} {sentence}"}
    language = "zh" if "全新的提示" in text else "en"
    joined = "：" if language == "zh" else ": "
    return {"prompt": f"{given.rstrip('?？')}{joined}{BREADTH[language]}"}
