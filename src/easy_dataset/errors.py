"""The error hierarchy: every message says what went wrong and what to do about it.

Messages are for every interface alike, so they never name a CLI command, an option or a
page; an error's `subject` says machine-readably what it is about, and each interface adds
its own hint from it (the CLI: the command that lists the items, the option to pass).
"""

from __future__ import annotations

from pydantic import ValidationError


class EasyDatasetError(Exception):
    """Base of every error this package raises on purpose.

    `subject`, where given: for NotFoundError the kind of item missing ("project", "file",
    "chunk", "question", "qa", "tag", "template", "persona", "job", "model", "benchmark",
    "prompt", "prompt_override", "sample_item", "cleaning" (a chunk's cleaning proposal));
    for others the situation ("chunks_exist", "export_exists", "not_interrupted",
    "no_base_url", "invalid_override", "no_benchmarks", "too_large", "encrypted",
    "is_dialogue" (a QA pair's action on a dialogue), "not_dialogue" (a dialogue's action on
    a QA pair), "cleaning_stale" (a proposal whose chunk changed since), "chunk_changed" (a
    chunk edited after its cleaning was accepted), "missing_extra" (an optional extra is not
    installed)).
    """

    def __init__(self, *args: object, subject: str | None = None) -> None:
        super().__init__(*args)
        self.subject = subject


class ConfigError(EasyDatasetError):
    """A setting or a parameter is invalid."""


class MissingExtraError(ConfigError):
    """An optional part of the package is used but its dependencies are not installed;
    `extra` names the pip extra that brings them and the message says how to install it."""

    def __init__(self, extra: str, what: str, hint: str) -> None:
        super().__init__(f"{what} needs the {extra!r} extra, which is missing; {hint}")
        self.extra = extra
        self.subject = "missing_extra"


class NotFoundError(EasyDatasetError):
    """A project, file or chunk that was asked for does not exist."""


class ConflictError(EasyDatasetError):
    """The request clashes with what is already stored (a duplicate name, existing chunks)."""


class IngestError(EasyDatasetError):
    """A document could not be read; `filename` names it and `reason` says why."""

    def __init__(self, filename: str, reason: str, *, subject: str | None = None) -> None:
        super().__init__(f"{filename}: {reason}", subject=subject)
        self.filename = filename
        self.reason = reason


class InputError(EasyDatasetError):
    """A request's arguments are wrong (an empty text, an offset out of range...)."""


class DisagreementError(EasyDatasetError):
    """Consistency voting found no majority among a question's answers: none is kept."""


class ContentLossError(EasyDatasetError):
    """A model's cleaned text of a chunk lost a sentence of content (or added text) and is
    refused rather than proposed; `raw_output` keeps the model's reply."""

    def __init__(self, message: str, *, raw_output: str | None = None) -> None:
        super().__init__(message)
        self.raw_output = raw_output


class ModelCallError(EasyDatasetError):
    """A model call failed for good; `kind` classifies it and `raw_output` keeps the reply.

    kinds: "auth" (401/403), "not_found" (404), "rate_limit" (429), "http" (other status),
    "timeout", "connection", "parse" (no JSON in the reply), "validation" (JSON of the wrong
    shape), "truncated" (the reply was cut off and could not be completed), "unreachable"
    (the endpoint stopped answering: see EndpointUnreachableError), "cancelled".
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        raw_output: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.raw_output = raw_output
        self.retryable = retryable


class EndpointUnreachableError(ModelCallError):
    """Calls to an endpoint are refused because it stopped answering; jobs pause on it."""

    def __init__(self, endpoint: str, failures: int, last_error: str = "") -> None:
        last = f" (last: {last_error})" if last_error else ""
        super().__init__(
            "unreachable",
            f"endpoint unreachable: {endpoint} gave no reply {failures} times in a row{last}; "
            "the job is paused with its remaining items kept, resume it once the server "
            "answers again",
            retryable=False,
        )
        self.endpoint = endpoint
        self.failures = failures


class JobPausedError(EasyDatasetError):
    """A job paused (its endpoint stopped answering) and the work that needed it stopped."""

    def __init__(self, job_id: int, stage: str, reason: str) -> None:
        super().__init__(f"{stage} (job {job_id}) paused: {reason}")
        self.job_id = job_id
        self.stage = stage
        self.reason = reason


def validation_reasons(exc: ValidationError) -> str:
    """A pydantic validation error as one line: "field: reason; other: reason"."""
    return "; ".join(
        (f"{'.'.join(map(str, error['loc']))}: " if error["loc"] else "")
        + error["msg"].removeprefix("Value error, ")
        for error in exc.errors()
    )
