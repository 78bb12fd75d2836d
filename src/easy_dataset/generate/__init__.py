"""Generation: tag trees, personas, questions, answers, template answers, dialogues. No
database here: every function is async, takes its model client, and returns drafts with
provenance."""

from easy_dataset.generate.answers import (
    draft_answer,
    finish_cot,
    generate_answer,
    revise_answer,
    rewrite_cot,
)
from easy_dataset.generate.cot import mentions_source, scrub_source_mentions
from easy_dataset.generate.counts import question_count
from easy_dataset.generate.dedup import distinct_indices, near_identical, normalise
from easy_dataset.generate.dialogue_judge import TurnVerdict, dialogue_score, judge_dialogue
from easy_dataset.generate.dialogue_schema import DialogueSpec
from easy_dataset.generate.dialogues import (
    DialogueResult,
    continue_dialogue,
    generate_dialogue,
    generate_topic_dialogue,
)
from easy_dataset.generate.distill import TopicTree, distill_questions, grow_topic_tree
from easy_dataset.generate.judge import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    Judgement,
    judge_pair,
    resolve_weights,
    weighted_score,
)
from easy_dataset.generate.outlines import outline_text
from easy_dataset.generate.personas import propose_personas
from easy_dataset.generate.questions import generate_questions, heading_text
from easy_dataset.generate.results import (
    AnswerResult,
    Persona,
    PersonasResult,
    Provenance,
    QuestionDraft,
    QuestionsResult,
    RevisedAnswer,
    TagDraft,
    TagTreeResult,
    TemplateAnswer,
)
from easy_dataset.generate.tags import build_tag_tree, revise_tag_tree
from easy_dataset.generate.templates import TemplateSpec, answer_template

__all__ = [
    "CRITERIA",
    "DEFAULT_WEIGHTS",
    "AnswerResult",
    "DialogueResult",
    "DialogueSpec",
    "Judgement",
    "Persona",
    "PersonasResult",
    "Provenance",
    "QuestionDraft",
    "QuestionsResult",
    "RevisedAnswer",
    "TagDraft",
    "TagTreeResult",
    "TemplateAnswer",
    "TemplateSpec",
    "TopicTree",
    "TurnVerdict",
    "answer_template",
    "build_tag_tree",
    "continue_dialogue",
    "dialogue_score",
    "distill_questions",
    "distinct_indices",
    "draft_answer",
    "finish_cot",
    "generate_answer",
    "generate_dialogue",
    "generate_questions",
    "generate_topic_dialogue",
    "grow_topic_tree",
    "heading_text",
    "judge_dialogue",
    "judge_pair",
    "mentions_source",
    "near_identical",
    "normalise",
    "outline_text",
    "propose_personas",
    "question_count",
    "resolve_weights",
    "revise_answer",
    "revise_tag_tree",
    "rewrite_cot",
    "scrub_source_mentions",
    "weighted_score",
]
