"""Generation services: the jobs that build tag trees, personas, questions and answers, and
the review of their results. Importing this package registers the job handlers."""

from easy_dataset.services.generation import (  # noqa: F401 (registers the handlers and estimators)
    answer_jobs,
    cleaning_jobs,
    cross_chunk_jobs,
    dialogue_jobs,
    distill_dialogues,
    distill_questions,
    distill_tags,
    estimate_tokens,
    evolve_jobs,
    persona_jobs,
    question_jobs,
    refine_jobs,
    self_instruct_jobs,
    tag_jobs,
    template_jobs,
    unanswerable_jobs,
)
from easy_dataset.services.generation.dialogue_review import (
    delete_last_turns,
    edit_turn,
    regenerate_from,
)
from easy_dataset.services.generation.personas import (
    PersonaView,
    add_persona,
    edit_persona,
    list_personas,
    set_personas_active,
)
from easy_dataset.services.generation.qa_query import QAFilters
from easy_dataset.services.generation.questions import (
    add_question,
    count_questions,
    count_questions_by_tag,
    delete_questions,
    edit_question,
    list_questions,
)
from easy_dataset.services.generation.review import (
    confirm_qa,
    count_qa,
    edit_qa,
    get_qa,
    list_qa,
    note_qa,
    qa_neighbours,
    rate_qa,
    revise_qa,
    tag_qa,
)
from easy_dataset.services.generation.settings import (
    get_generation_settings,
    update_generation_settings,
)
from easy_dataset.services.generation.views import QADetail, QAView, QuestionView
from easy_dataset.services.job_support.estimate import Estimate

__all__ = [
    "Estimate",
    "PersonaView",
    "QADetail",
    "QAFilters",
    "QAView",
    "QuestionView",
    "add_persona",
    "add_question",
    "confirm_qa",
    "count_qa",
    "count_questions",
    "count_questions_by_tag",
    "delete_last_turns",
    "delete_questions",
    "edit_persona",
    "edit_qa",
    "edit_question",
    "edit_turn",
    "get_generation_settings",
    "get_qa",
    "list_personas",
    "list_qa",
    "list_questions",
    "note_qa",
    "qa_neighbours",
    "rate_qa",
    "regenerate_from",
    "revise_qa",
    "set_personas_active",
    "tag_qa",
    "update_generation_settings",
]
