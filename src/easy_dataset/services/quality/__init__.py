"""Quality services: the checks as jobs (judge, grounding, deduplication, personal data,
references to the text, contamination, review sampling), their results, and the dataset
report. Importing this package registers the job handlers."""

from easy_dataset.services.hygiene import question_flags
from easy_dataset.services.quality import (  # noqa: F401 (registers the handlers)
    dedup_job,
    ground_job,
    hygiene_job,
    judge_job,
    sample,
    scan_jobs,
)
from easy_dataset.services.quality.benchmark_files import (
    BenchmarkView,
    add_benchmark,
    add_benchmarks,
    delete_benchmark,
    list_benchmarks,
)
from easy_dataset.services.quality.checks import checks, estimate_check, run_check, start_check
from easy_dataset.services.quality.corrections import (
    CitationFigures,
    RefineFigures,
    citation_summary,
    refine_summary,
)
from easy_dataset.services.quality.duplicates import (
    ClusterView,
    Member,
    count_duplicates,
    delete_duplicates,
    list_clusters,
)
from easy_dataset.services.quality.items import item_results
from easy_dataset.services.quality.judge_agreement import (
    REVIEWER_PASS,
    JudgeAgreement,
    judge_agreement,
)
from easy_dataset.services.quality.report import (
    NO_PERSONA,
    NO_SOURCE,
    QUESTION_DELETED,
    UNTAGGED,
    Figure,
    Report,
    build_report,
)
from easy_dataset.services.quality.sample import (
    SampleItem,
    SampleStatus,
    review_sample_item,
    sample_items,
    sample_status,
)
from easy_dataset.services.quality_settings import get_quality_settings, update_quality_settings

__all__ = [
    "NO_PERSONA",
    "NO_SOURCE",
    "QUESTION_DELETED",
    "REVIEWER_PASS",
    "UNTAGGED",
    "BenchmarkView",
    "CitationFigures",
    "ClusterView",
    "Figure",
    "JudgeAgreement",
    "Member",
    "RefineFigures",
    "Report",
    "SampleItem",
    "SampleStatus",
    "add_benchmark",
    "add_benchmarks",
    "build_report",
    "checks",
    "citation_summary",
    "count_duplicates",
    "delete_benchmark",
    "delete_duplicates",
    "estimate_check",
    "get_quality_settings",
    "item_results",
    "judge_agreement",
    "list_benchmarks",
    "list_clusters",
    "question_flags",
    "refine_summary",
    "review_sample_item",
    "run_check",
    "sample_items",
    "sample_status",
    "start_check",
    "update_quality_settings",
]
