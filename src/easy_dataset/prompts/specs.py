"""What each prompt task takes: its variables, their defaults, and sample values to test with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Sample values are realistic on purpose: a test render that reads well is the quickest way
# for a person editing a template to see what the model will get.
_CHUNK = (
    "A tenant who wants to end a periodic lease must give the landlord written notice at "
    "least 30 days before the end of a rental period. Notice given by e-mail counts as "
    "written notice only if the lease allows it. A landlord who ends the lease must give "
    "60 days' notice, or 90 days if the tenant has lived in the unit for more than two years."
)
_DEPOSITS = (
    "A landlord may ask for a security deposit of at most one month's rent. The deposit "
    "must be returned within 21 days after the tenant moves out, less the cost of any "
    "damage beyond normal wear and tear, with a written list of the deductions."
)
_PERSONA = {
    "genre": "FAQ for a tenants' association website",
    "genre_description": "Short, plain-language answers to common questions.",
    "audience": "a first-time renter",
    "audience_description": "A young adult renting alone for the first time, unsure of rights.",
}
_OUTLINES = (
    "# Residential Tenancy Guide\n## Starting a lease\n### Deposits\n## Ending a lease\n"
    "### Notice periods\n### Eviction\n\n# Landlord Handbook\n## Repairs and maintenance\n"
)
_TREE = (
    '[{"name": "Leases", "children": [{"name": "Deposits"}, {"name": "Notice periods"}]}, '
    '{"name": "Landlord duties", "children": [{"name": "Repairs"}]}]'
)
_TAGS = "[1] Leases\n  [2] Deposits\n  [3] Notice periods\n[4] Landlord duties\n  [5] Repairs"
_HISTORY = [
    {
        "user": "I'm moving out next month. How much notice do I have to give my landlord?",
        "assistant": "For a periodic lease, at least 30 days before the end of a rental "
        "period, and it has to be in writing.",
    },
    {
        "user": "Can I just send an e-mail?",
        "assistant": "Only if your lease allows notice by e-mail; otherwise send a written letter.",
    },
]
# A chunk as a PDF gives it: a running head, a page number, a word hyphenated at a line end.
_DIRTY_CHUNK = (
    "RESIDENTIAL TENANCY GUIDE\n"
    "A tenant who wants to end a periodic lease must give the landlord written no-\n"
    "tice at least 30 days before the end of a rental period.\n"
    "- 14 -\n"
    "RESIDENTIAL TENANCY GUIDE\n"
    "Notice given by e-mail counts as written notice only if the lease allows it."
)
# Distillation from a topic: the tree's root, and a leaf's path from it.
_TOPIC = "Residential tenancy"
_SUBJECT = "Residential tenancy > Ending a lease > Notice periods"
_QUESTIONS = (
    "1. How much notice must a tenant give to end a periodic lease?\n"
    "2. Who pays for a broken water heater in a rented flat?"
)


@dataclass(frozen=True)
class VariableSpec:
    """One variable a task's template may use; `required` ones have no default."""

    name: str
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class TaskSpec:
    """A prompt task: its variables and the sample variable sets every template must render."""

    name: str
    variables: tuple[VariableSpec, ...]
    samples: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(variable.name for variable in self.variables)

    def with_defaults(self, values: dict[str, Any]) -> dict[str, Any]:
        """The values given, plus the default of every variable left out."""
        merged = {v.name: v.default for v in self.variables if not v.required}
        merged.update(values)
        return merged

    def minimal_sample(self) -> dict[str, Any]:
        """The first sample cut down to its required variables: every optional part is off."""
        required = {v.name for v in self.variables if v.required}
        return {key: value for key, value in self.samples[0].items() if key in required}


def _req(name: str) -> VariableSpec:
    return VariableSpec(name, required=True)


def _opt(name: str, default: Any = None) -> VariableSpec:
    return VariableSpec(name, default=default)


TASKS: dict[str, TaskSpec] = {
    spec.name: spec
    for spec in (
        TaskSpec(
            "tag_tree",
            (_req("outlines"), _opt("levels", 2), _opt("max_top", 10)),
            (
                {"outlines": _OUTLINES, "levels": 2, "max_top": 8},
                {"outlines": _OUTLINES, "levels": 3},
                {"outlines": _OUTLINES, "levels": 1},
            ),
        ),
        TaskSpec(
            "tag_revise",
            (
                _req("tree"),
                _opt("added", ""),
                _opt("removed", ""),
                _opt("remaining", ""),
                _opt("levels", 2),
                _opt("max_top", 10),
            ),
            (
                {
                    "tree": _TREE,
                    "added": "# Rent Control Ordinance\n## Allowed increases\n",
                    "removed": "# Landlord Handbook\n## Repairs and maintenance\n",
                    "remaining": "# Residential Tenancy Guide\n## Ending a lease\n",
                },
            ),
        ),
        TaskSpec(
            "tag_label",
            (_req("tags"), _req("questions")),
            ({"tags": _TAGS, "questions": _QUESTIONS},),
        ),
        TaskSpec(
            "ga_pairs",
            (_req("title"), _opt("outline", ""), _opt("excerpt", ""), _opt("count", 5)),
            (
                {
                    "title": "Residential Tenancy Guide",
                    "outline": _OUTLINES,
                    "excerpt": _CHUNK,
                    "count": 5,
                },
            ),
        ),
        TaskSpec(
            "questions",
            (
                _req("chunk"),
                _opt("heading_path", ""),
                _opt("title", ""),
                _opt("count", 5),
                _opt("persona"),
                _opt("tags"),
            ),
            (
                {
                    "chunk": _CHUNK,
                    "heading_path": "Residential Tenancy Guide > Ending a lease > Notice periods",
                    "title": "Residential Tenancy Guide",
                    "count": 4,
                    "persona": _PERSONA,
                    "tags": ["Deposits", "Notice periods", "Repairs"],
                },
            ),
        ),
        TaskSpec(
            "answer",
            (
                _req("question"),
                _req("chunk"),
                _opt("heading_path", ""),
                _opt("title", ""),
                _opt("persona"),
            ),
            (
                {
                    "question": "How much notice must a tenant give to end a periodic lease?",
                    "chunk": _CHUNK,
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                    "title": "Residential Tenancy Guide",
                    "persona": _PERSONA,
                },
            ),
        ),
        TaskSpec(
            "answer_open",
            (_req("question"), _opt("persona"), _opt("tag_path", "")),
            (
                {
                    "question": "How much notice must a tenant usually give to end a lease?",
                    "persona": _PERSONA,
                    "tag_path": _SUBJECT,
                },
            ),
        ),
        TaskSpec(
            "cot_open",
            (_req("question"), _req("answer")),
            (
                {
                    "question": "Why do leases usually require written notice?",
                    "answer": "Written notice leaves a record of when the lease ends, so "
                    "neither side can later dispute the date.",
                },
            ),
        ),
        TaskSpec(
            "cot_synthesize",
            (_req("question"), _req("answer"), _req("chunk"), _opt("heading_path", "")),
            (
                {
                    "question": "Can a tenant end a periodic lease by e-mail?",
                    "answer": "Only if the lease allows notice by e-mail; otherwise it must be "
                    "written notice given at least 30 days before the period ends.",
                    "chunk": _CHUNK,
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                },
            ),
        ),
        TaskSpec(
            "cot_rewrite",
            (_req("cot"),),
            (
                {
                    "cot": "According to the text, a tenant must give 30 days' notice. The "
                    "passage also says e-mail counts only if the lease allows it. So the "
                    "answer is: only when the lease permits it."
                },
            ),
        ),
        TaskSpec(
            "answer_revise",
            (_req("question"), _req("answer"), _req("advice"), _req("chunk")),
            (
                {
                    "question": "How much notice must a landlord give to end a lease?",
                    "answer": "60 days.",
                    "advice": "Mention the exception for long-term tenants; use a full sentence.",
                    "chunk": _CHUNK,
                },
            ),
        ),
        TaskSpec(
            "answer_cited",
            (
                _req("question"),
                _req("chunk"),
                _opt("heading_path", ""),
                _opt("title", ""),
                _opt("persona"),
            ),
            (
                {
                    "question": "How much notice must a tenant give to end a periodic lease?",
                    "chunk": _CHUNK,
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                    "title": "Residential Tenancy Guide",
                    "persona": _PERSONA,
                },
            ),
        ),
        TaskSpec(
            "answer_refine",
            (
                _req("question"),
                _req("answer"),
                _req("chunk"),
                _opt("verdict", ""),
                _opt("scores"),
                _opt("rules", ""),
                _opt("citations", False),
            ),
            (
                {
                    "question": "How much notice must a landlord give to end a lease?",
                    "answer": "30 days, by e-mail.",
                    "chunk": _CHUNK,
                    "verdict": "The answer gives the tenant's notice period, not the "
                    "landlord's, and leaves out the exception for long-term tenants.",
                    "scores": {"question": 5, "accuracy": 1, "relevance": 2, "consistency": 4},
                    "rules": "Always name the period in days and say who must give notice.",
                    "citations": True,
                },
                {
                    "question": "How much notice must a landlord give to end a lease?",
                    "answer": "60 days.",
                    "chunk": _CHUNK,
                    "verdict": "Correct but incomplete.",
                },
            ),
        ),
        TaskSpec(
            "template_answer",
            (
                _req("question"),
                _req("chunk"),
                _opt("answer_type", "text"),
                _opt("labels"),
                _opt("json_schema"),
            ),
            (
                {"question": "Summarise the notice rules in one sentence.", "chunk": _CHUNK},
                {
                    "question": "Which party does this passage mainly regulate?",
                    "chunk": _CHUNK,
                    "answer_type": "label",
                    "labels": ["tenant", "landlord", "both"],
                },
                {
                    "question": "Extract the notice periods.",
                    "chunk": _CHUNK,
                    "answer_type": "json",
                    "json_schema": '{"type": "object", "properties": {"tenant_days": '
                    '{"type": "integer"}, "landlord_days": {"type": "integer"}}}',
                },
            ),
        ),
        TaskSpec(
            "dialogue",
            (
                _req("chunk"),
                _req("user_role"),
                _req("assistant_role"),
                _req("turns"),
                _opt("scenario", ""),
                _opt("heading_path", ""),
                _opt("title", ""),
                _opt("with_reasoning", False),
            ),
            (
                {
                    "chunk": _CHUNK,
                    "user_role": "a first-time renter",
                    "assistant_role": "a tenants' rights adviser",
                    "turns": 3,
                    "scenario": "The renter wants to move out early and calls an advice line.",
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                    "title": "Residential Tenancy Guide",
                    "with_reasoning": True,
                },
                {
                    "chunk": _CHUNK,
                    "user_role": "a landlord",
                    "assistant_role": "a housing officer",
                    "turns": 1,
                },
            ),
        ),
        TaskSpec(
            "dialogue_continue",
            (
                _req("chunk"),
                _req("user_role"),
                _req("assistant_role"),
                _req("turns"),
                _opt("history", ()),
                _opt("scenario", ""),
                _opt("heading_path", ""),
                _opt("title", ""),
                _opt("with_reasoning", False),
            ),
            (
                {
                    "chunk": _CHUNK,
                    "user_role": "a first-time renter",
                    "assistant_role": "a tenants' rights adviser",
                    "turns": 2,
                    "history": _HISTORY,
                    "scenario": "The renter wants to move out early and calls an advice line.",
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                    "title": "Residential Tenancy Guide",
                    "with_reasoning": True,
                },
                {
                    "chunk": _CHUNK,
                    "user_role": "a landlord",
                    "assistant_role": "a housing officer",
                    "turns": 1,
                    "history": _HISTORY[:1],
                },
            ),
        ),
        TaskSpec(
            "judge_turn",
            (
                _req("chunk"),
                _req("message"),
                _req("reply"),
                _opt("history", ()),
                _opt("reasoning", ""),
            ),
            (
                {
                    "chunk": _CHUNK,
                    "message": "And if my landlord wants me out? I've been here three years.",
                    "reply": "Then your landlord must give you 90 days' notice, because you "
                    "have lived in the unit for more than two years.",
                    "history": _HISTORY,
                    "reasoning": "Landlords normally give 60 days, but 90 after two years; "
                    "three years is more than two.",
                },
                {
                    "chunk": _CHUNK,
                    "message": "How much notice do I give to end my lease?",
                    "reply": "Thirty days, and e-mail always counts as written notice.",
                },
            ),
        ),
        TaskSpec(
            "chunk_clean",
            (_req("chunk"), _opt("running", ()), _opt("heading_path", ""), _opt("title", "")),
            (
                {
                    "chunk": _DIRTY_CHUNK,
                    "running": ["RESIDENTIAL TENANCY GUIDE"],
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                    "title": "Residential Tenancy Guide",
                },
                {"chunk": _DIRTY_CHUNK},
            ),
        ),
        TaskSpec(
            "cross_chunk",
            (_req("chunks"), _opt("count", 2)),
            (
                {
                    "chunks": [
                        {
                            "text": _CHUNK,
                            "title": "Residential Tenancy Guide",
                            "heading_path": "Residential Tenancy Guide > Ending a lease",
                        },
                        {
                            "text": _DEPOSITS,
                            "title": "Residential Tenancy Guide",
                            "heading_path": "Residential Tenancy Guide > Deposits",
                        },
                    ],
                    "count": 2,
                },
            ),
        ),
        TaskSpec(
            "unanswerable",
            (
                _req("chunk"),
                _opt("heading_path", ""),
                _opt("title", ""),
                _opt("count", 1),
                _opt("asked"),
            ),
            (
                {
                    "chunk": _CHUNK,
                    "heading_path": "Residential Tenancy Guide > Ending a lease > Notice periods",
                    "title": "Residential Tenancy Guide",
                    "count": 2,
                    "asked": ["How much notice must a tenant give to end a periodic lease?"],
                },
            ),
        ),
        TaskSpec(
            "judge",
            (_req("question"), _req("answer"), _req("chunk"), _opt("cot", "")),
            (
                {
                    "question": "How much notice must a landlord give to end a tenancy of "
                    "three years?",
                    "answer": "90 days, because the tenant has lived in the unit for more "
                    "than two years.",
                    "chunk": _CHUNK,
                    "cot": "A landlord normally gives 60 days' notice, but 90 days when the "
                    "tenant has lived there more than two years; three years is more than two.",
                },
                {
                    "question": "Can a tenant end a periodic lease by e-mail?",
                    "answer": "Yes, e-mail always counts as written notice.",
                    "chunk": _CHUNK,
                },
            ),
        ),
        TaskSpec(
            "self_instruct",
            (_req("examples"), _opt("count", 8)),
            (
                {
                    "examples": [
                        "Explain the difference between a fixed-term and a periodic lease.",
                        "Write a polite letter to a landlord asking for a repair.",
                        "Classify each clause below as a tenant duty or a landlord duty.",
                    ],
                    "count": 8,
                },
            ),
        ),
        TaskSpec(
            "self_instruct_instance",
            (_req("instruction"), _opt("examples", ())),
            (
                {
                    "instruction": "Summarise the notice rules below in one sentence.",
                    "examples": [
                        {
                            "instruction": "Explain what a periodic lease is.",
                            "input": "",
                            "output": "A periodic lease runs from one rental period to the "
                            "next until the tenant or the landlord ends it with notice.",
                        },
                        {
                            "instruction": "Name the party each sentence puts a duty on.",
                            "input": "The tenant must give 30 days' notice.",
                            "output": "The tenant.",
                        },
                    ],
                },
            ),
        ),
        TaskSpec(
            "evolve_depth",
            (_req("prompt"), _req("method"), _opt("chunk", "")),
            (
                {
                    "prompt": "How much notice must a tenant give to end a periodic lease?",
                    "method": "constraints",
                    "chunk": _CHUNK,
                },
                {
                    "prompt": "How much notice must a landlord give to end a lease?",
                    "method": "reasoning",
                },
                {"prompt": "Can a tenant give notice by e-mail?", "method": "deepen"},
                {"prompt": "When does a lease end?", "method": "concretize"},
            ),
        ),
        TaskSpec(
            "evolve_breadth",
            (_req("prompt"), _opt("chunk", "")),
            (
                {
                    "prompt": "How much notice must a tenant give to end a periodic lease?",
                    "chunk": _CHUNK,
                },
            ),
        ),
        TaskSpec(
            "distill_tags",
            (
                _req("topic"),
                _req("tag_path"),
                _req("count"),
                _opt("description", ""),
                _opt("existing", ()),
            ),
            (
                {
                    "topic": _TOPIC,
                    "tag_path": "Residential tenancy > Ending a lease",
                    "count": 3,
                    "description": "Renting a home: the rights and duties of tenants and "
                    "landlords.",
                    "existing": ["Deposits", "Starting a lease"],
                },
                {"topic": _TOPIC, "tag_path": _TOPIC, "count": 1},
            ),
        ),
        TaskSpec(
            "distill_questions",
            (_req("topic"), _req("tag_path"), _req("count"), _opt("description", "")),
            (
                {
                    "topic": _TOPIC,
                    "tag_path": _SUBJECT,
                    "count": 3,
                    "description": "Renting a home: the rights and duties of tenants and "
                    "landlords.",
                },
            ),
        ),
        TaskSpec(
            "dialogue_open",
            (
                _req("question"),
                _req("user_role"),
                _req("assistant_role"),
                _req("turns"),
                _opt("tag_path", ""),
                _opt("description", ""),
                _opt("scenario", ""),
                _opt("with_reasoning", False),
            ),
            (
                {
                    "question": "How much notice do I have to give to end my lease?",
                    "user_role": "a first-time renter",
                    "assistant_role": "a tenants' rights adviser",
                    "turns": 3,
                    "tag_path": _SUBJECT,
                    "description": "Renting a home: the rights and duties of tenants and "
                    "landlords.",
                    "scenario": "The renter wants to move out early and calls an advice line.",
                    "with_reasoning": True,
                },
                {
                    "question": "Can my landlord end the lease without a reason?",
                    "user_role": "a tenant",
                    "assistant_role": "a housing officer",
                    "turns": 1,
                },
            ),
        ),
        TaskSpec(
            "eval_item",
            (
                _req("chunk"),
                _req("kind"),
                _opt("option_count", 4),
                _opt("heading_path", ""),
                _opt("title", ""),
            ),
            tuple(
                {
                    "chunk": _CHUNK,
                    "kind": kind,
                    **({"option_count": 4} if kind.endswith("choice") else {}),
                    "heading_path": "Residential Tenancy Guide > Ending a lease",
                    "title": "Residential Tenancy Guide",
                }
                for kind in (
                    "true_false",
                    "single_choice",
                    "multiple_choice",
                    "short_answer",
                    "open",
                )
            ),
        ),
        TaskSpec(
            "judge_open",
            (_req("question"), _req("answer"), _opt("cot", ""), _opt("tag_path", "")),
            (
                {
                    "question": "Why do leases usually require notice in writing?",
                    "answer": "Written notice leaves a record of when the lease ends, so "
                    "neither side can later dispute the date.",
                    "cot": "Disputes about notice are about dates; a written notice fixes "
                    "the date.",
                    "tag_path": _SUBJECT,
                },
                {
                    "question": "Can a landlord always end a lease with one day's notice?",
                    "answer": "Yes, everywhere.",
                },
            ),
        ),
        TaskSpec(
            "judge_turn_open",
            (
                _req("message"),
                _req("reply"),
                _opt("history", ()),
                _opt("reasoning", ""),
                _opt("tag_path", ""),
            ),
            (
                {
                    "message": "And if my landlord wants me out? I've been here three years.",
                    "reply": "That depends on where you live: many places require a longer "
                    "notice, or a reason, once a tenancy has lasted a few years.",
                    "history": _HISTORY,
                    "reasoning": "Notice rules for landlords vary by jurisdiction and often "
                    "grow with the length of the tenancy.",
                    "tag_path": _SUBJECT,
                },
                {
                    "message": "How much notice do I give to end my lease?",
                    "reply": "Always exactly one week.",
                },
            ),
        ),
        TaskSpec(
            "eval_ask",
            (_req("kind"), _req("question"), _opt("options", ())),
            (
                {
                    "kind": "single_choice",
                    "question": "How much notice must a tenant give to end a periodic lease?",
                    "options": ["A. 7 days", "B. 30 days", "C. 60 days", "D. 90 days"],
                },
                {
                    "kind": "multiple_choice",
                    "question": "Which of these may a landlord deduct from a deposit?",
                    "options": [
                        "A. Damage beyond wear and tear",
                        "B. Normal wear",
                        "C. Unpaid rent",
                    ],
                },
                {"kind": "true_false", "question": "Notice by e-mail always counts as written."},
                {"kind": "short_answer", "question": "Within how many days is a deposit returned?"},
                {"kind": "open", "question": "Why do leases require notice in writing?"},
            ),
        ),
        TaskSpec(
            "eval_judge",
            (_req("kind"), _req("question"), _req("reference"), _req("answer")),
            (
                {
                    "kind": "open",
                    "question": "How much notice must a landlord give to end a tenancy?",
                    "reference": "60 days, or 90 days if the tenant has lived in the unit for "
                    "more than two years.",
                    "answer": "Two months.",
                },
                {
                    "kind": "short_answer",
                    "question": "Within how many days is a deposit returned?",
                    "reference": "21 days",
                    "answer": "three weeks",
                },
            ),
        ),
    )
}
