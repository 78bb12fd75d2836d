"""Export: samples (QA pairs, dialogues) → Alpaca, ShareGPT, OpenAI messages, reasoning or
custom records, streamed."""

from easy_dataset.export.formats import metadata, shape
from easy_dataset.export.llamafactory import dataset_info
from easy_dataset.export.options import (
    CotMode,
    ExportFormat,
    ExportOptions,
    FileType,
    QuestionSlot,
    file_type_for,
)
from easy_dataset.export.records import ExportRecord
from easy_dataset.export.reply import think_answer
from easy_dataset.export.writer import ExportWriter, write_export

__all__ = [
    "CotMode",
    "ExportFormat",
    "ExportOptions",
    "ExportRecord",
    "ExportWriter",
    "FileType",
    "QuestionSlot",
    "dataset_info",
    "file_type_for",
    "metadata",
    "shape",
    "think_answer",
    "write_export",
]
