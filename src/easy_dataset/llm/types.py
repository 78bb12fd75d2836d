"""The currency of the model layer: configurations, messages, completions and call records."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

# RFC 9110 token characters for a header name; values: visible ASCII, spaces and tabs.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*")
# Headers the HTTP client sets itself: a configured one would corrupt the request.
_RESERVED_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})
# Only variables named for an API key: whoever may save a configuration chooses where its
# key is sent, so naming any other variable (a database password, a cloud secret) would let
# them send its value to a server of their choosing.
_KEY_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*API_KEY")
MAX_HEADERS = 50

Provider = Literal[
    "local",
    "openai",
    "ollama",
    "vllm",
    "deepseek",
    "openrouter",
    "siliconflow",
    "zhipu",
    "dashscope",
    "moonshot",
    "groq",
    "custom",
]

# "auto": json_schema where the provider is known to support it, else instructions.
StructuredMode = Literal["auto", "json_schema", "json_object", "prompt"]


class ModelConfig(BaseModel):
    """One model endpoint as configured; never holds the API key itself."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    provider: Provider = "local"
    base_url: str | None = Field(default=None, max_length=2000)  # None: the preset's URL
    model: str = Field(min_length=1, max_length=500)
    # The name of an environment variable holding the key, e.g. OPENAI_API_KEY.
    api_key_env: str | None = Field(default=None, max_length=200)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, gt=0, le=1)
    max_tokens: int | None = Field(default=None, ge=1)
    timeout: float = Field(default=120.0, gt=0)
    extra_headers: dict[str, str] = Field(default_factory=dict, max_length=MAX_HEADERS)
    concurrency: int = Field(default=4, ge=1, le=1024)
    rpm: int | None = Field(default=None, ge=1)  # requests per minute
    tpm: int | None = Field(default=None, ge=1)  # tokens per minute
    structured: StructuredMode = "auto"
    max_retries: int = Field(default=6, ge=0)  # 429 / 5xx / timeout / connection
    # Unparseable, cut-off or wrong-shape replies asked again; 3 keeps a 30 % bad-reply
    # endpoint above 97 % of its items (benchmarks/fault_mix.py).
    validation_retries: int = Field(default=3, ge=0)
    # Connection failures or timeouts in a row after which the endpoint counts as down and
    # jobs pause instead of retrying item after item.
    unreachable_after: int = Field(default=10, ge=1, le=10_000)
    # Times a reply cut off at the token limit is continued before the call fails.
    continuations: int = Field(default=2, ge=0, le=10)

    @field_validator("api_key_env")
    @classmethod
    def _key_variable(cls, name: str | None) -> str | None:
        if name is not None and not _KEY_ENV.fullmatch(name):
            raise ValueError(
                f"{name!r} is not the name of an API key variable: it must end in API_KEY "
                "(e.g. OPENAI_API_KEY) and hold only letters, digits and underscores"
            )
        return name

    @field_validator("extra_headers")
    @classmethod
    def _valid_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        # Checked when saved, so that a newline never reaches the endpoint (header
        # injection) and a non-ASCII value fails here, not inside the HTTP client.
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(
                    f"header name {name!r} may hold only letters, digits and !#$%&'*+-.^_`|~"
                )
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"header {name!r} is set by the client itself; leave it out")
            if not _HEADER_VALUE.fullmatch(value):
                raise ValueError(
                    f"header {name!r} has a value with a line break, a control or a non-ASCII "
                    "character; use plain ASCII text"
                )
        return headers

    def sampling_params(
        self,
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
    ) -> dict[str, Any]:
        """The sampling parameters to send: only those configured or passed, never defaults."""
        params: dict[str, Any] = {}
        temperature = temperature if temperature is not None else self.temperature
        if temperature is not None:
            params["temperature"] = temperature
        top_p = top_p if top_p is not None else self.top_p
        if top_p is not None:
            params["top_p"] = top_p
        max_tokens = max_tokens if max_tokens is not None else self.max_tokens
        if max_tokens is not None:
            params["max_tokens"] = max_tokens
        return params


Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class Completion:
    """One model reply: the answer apart from its reasoning, with usage and timing."""

    text: str
    reasoning: str | None
    prompt_tokens: int
    completion_tokens: int
    usage_estimated: bool  # True when the endpoint reported no usage and we counted
    finish_reason: str | None
    model: str
    latency_ms: int
    raw: str  # the reply's content exactly as received (before reasoning was split off)
    cached: bool = False


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer, as the model streams it."""

    text: str
    kind: Literal["text"] = "text"


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning, sent apart from the answer (reasoning_content)."""

    text: str
    kind: Literal["reasoning"] = "reasoning"


@dataclass(frozen=True)
class StreamEnd:
    """The last event of a stream: the whole reply with its usage, and when it began."""

    completion: Completion  # latency_ms: the whole call; usage_estimated: counted by us
    first_token_ms: int | None  # until the first piece of text or reasoning; None: none came
    kind: Literal["end"] = "end"


StreamEvent = TextDelta | ReasoningDelta | StreamEnd


@dataclass(frozen=True)
class CallRecord:
    """One row of the usage log, handed to the recorder after every call attempt."""

    endpoint: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    usage_estimated: bool
    latency_ms: int
    status: Literal["ok", "error"]
    error_kind: str | None
    error: str | None
    cached: bool
    created_at: datetime
    project_id: int | None = None
    job_id: int | None = None
    model_config_id: int | None = None


class CallRecorder(Protocol):
    def __call__(self, record: CallRecord, /) -> None: ...


class ChatClient(Protocol):
    """What every model client offers; the OpenAI-compatible and the embedded one alike."""

    config: ModelConfig

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion: ...

    def stream_chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """The reply piece by piece as it is generated, then one StreamEnd; never cached."""
        ...

    async def aclose(self) -> None: ...
