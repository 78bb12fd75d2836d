"""The client for OpenAI-compatible chat endpoints: exact parameters, our own retries,
per-endpoint limits and circuit breaker, a response cache and one usage record per attempt.
No text it hands on (errors, raw replies, usage rows) holds the API key."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx2
import openai

from easy_dataset.errors import EndpointUnreachableError, ModelCallError
from easy_dataset.llm.breaker import UNANSWERED, CircuitBreaker, breaker_for
from easy_dataset.llm.cache import ResponseCache, from_cached, request_key, to_cached
from easy_dataset.llm.context import current_scope
from easy_dataset.llm.limits import EndpointLimiter, Reservation
from easy_dataset.llm.presets import resolve_base_url
from easy_dataset.llm.reasoning import combine, message_reasoning, split_reasoning
from easy_dataset.llm.redact import redact, redact_error
from easy_dataset.llm.retry import backoff_delay, classify, retry_after
from easy_dataset.llm.streaming import StreamAssembler
from easy_dataset.llm.tokens import estimate_messages, estimate_tokens
from easy_dataset.llm.transport import http_client_for
from easy_dataset.llm.types import (
    CallRecord,
    CallRecorder,
    Completion,
    Message,
    ModelConfig,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
)

Sleep = Callable[[float], Awaitable[None]]
# Reserved against a TPM budget for the reply when the call sets no max_tokens; the
# reservation is corrected with the real usage once the reply is in.
DEFAULT_REPLY_TOKENS = 512
CONNECTION_BACKOFF_CAP = 0.5  # seconds: the longest wait after a refused connection


class OpenAIChatClient:
    """A ChatClient over the official SDK; one instance per model config and event loop."""

    def __init__(
        self,
        config: ModelConfig,
        api_key: str | None,
        *,
        recorder: CallRecorder | None = None,
        cache: ResponseCache | None = None,
        limiter: EndpointLimiter | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.base_url = resolve_base_url(config)
        self._recorder = recorder
        self._cache = cache
        self._limiter = limiter
        self._breaker = breaker if breaker is not None else breaker_for(config)
        self._api_key = api_key
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = http_client_for(self.base_url, config)
        self._sdk = openai.AsyncOpenAI(
            base_url=self.base_url,
            api_key=api_key or "unused",  # keyless local servers; the SDK insists on one
            timeout=config.timeout,
            max_retries=0,  # we retry ourselves, to record and limit every attempt
            default_headers=config.extra_headers,
            http_client=self._http,
        )
        # Streams get their own HTTP client, made on first use: the lean transport above
        # reads a whole body before handing it on, httpx's own passes bytes as they come.
        self._stream_http: httpx2.AsyncClient | None = None
        self._stream_sdk: openai.AsyncOpenAI | None = None

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        params = self.config.sampling_params(max_tokens=max_tokens, temperature=temperature)
        key = None
        if self._cache is not None:
            key = request_key(self.base_url, self.config.model, messages, params, response_format)
            hit = self._cache.get(key)
            if hit is not None:
                completion = from_cached(hit)
                self._record(completion, None)
                return completion
        body: dict[str, Any] = {"model": self.config.model, "messages": messages, **params}
        if response_format is not None:
            body["response_format"] = response_format
        completion = await self._send(body, messages)
        if key is not None and self._cache is not None:
            self._cache.put(key, to_cached(completion))
        return completion

    async def _send(self, body: dict[str, Any], messages: list[Message]) -> Completion:
        """POSTs the request, retrying transient failures with backoff."""
        tokens = 0
        if self._limiter is not None and self._limiter.counts_tokens:
            tokens = estimate_messages(messages) + (body.get("max_tokens") or DEFAULT_REPLY_TOKENS)
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            wait: float | None = None
            started, sent = time.perf_counter(), False
            self._breaker.check()  # a dead endpoint fails the call before it is sent
            try:
                async with self._slot(tokens) as reservation:
                    self._breaker.check()  # it may have gone down while we queued
                    started, sent = time.perf_counter(), True  # latency excludes queueing
                    response = await self._sdk.post(
                        "/chat/completions", body=body, cast_to=httpx2.Response
                    )
                    completion = self._scrubbed(
                        parse_completion(
                            response.content, messages, _ms(started), self.config.model
                        )
                    )
                    if reservation is not None:
                        reservation.settle(completion.prompt_tokens + completion.completion_tokens)
            except openai.APIError as exc:
                error = redact_error(classify(exc, self.config, self.base_url), self._api_key)
                if isinstance(exc, openai.APIStatusError):
                    wait = retry_after(exc.response.headers)
            except EndpointUnreachableError:
                raise  # refused before sending: no attempt to record or count
            except ModelCallError as exc:
                error = redact_error(exc, self._api_key)
            except asyncio.CancelledError:
                if sent:  # a request was on the wire: it counts as an attempt
                    cancelled = ModelCallError("cancelled", "the call was cancelled")
                    self._record(None, cancelled, started)
                raise
            else:
                self._breaker.record(None)
                self._record(completion, None)
                return completion
            self._breaker.record(error.kind, str(error))
            self._record(None, error, started)
            if not error.retryable or attempt + 1 == attempts:
                break
            await self._sleep(self._retry_wait(error, attempt, wait))
        raise self._final_error(error, attempts)

    async def stream_chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """The reply as the endpoint streams it, then a StreamEnd with usage and timing.

        Transient failures are retried like `chat`'s until the first piece of the reply has
        come; after that a failure ends the stream with its ModelCallError. Never cached.
        """
        params = self.config.sampling_params(
            max_tokens=max_tokens, temperature=temperature, top_p=top_p
        )
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": messages,
            **params,
            "stream": True,
            # The usage chunk; where a server ignores this, the tokens are counted by us.
            "stream_options": {"include_usage": True},
        }
        tokens = 0
        if self._limiter is not None and self._limiter.counts_tokens:
            reply = params.get("max_tokens") or DEFAULT_REPLY_TOKENS
            tokens = estimate_messages(messages) + reply
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            wait: float | None = None
            started, sent = time.perf_counter(), False
            assembler: StreamAssembler | None = None
            self._breaker.check()
            try:
                async with self._slot(tokens) as reservation:
                    self._breaker.check()
                    started, sent = time.perf_counter(), True
                    stream = await self._streaming_sdk().post(
                        "/chat/completions",
                        body=body,
                        cast_to=object,
                        stream=True,
                        stream_cls=openai.AsyncStream[object],
                    )
                    assembler = StreamAssembler(messages, self.config.model, started)
                    async with stream:
                        async for chunk in stream:
                            for event in assembler.feed(chunk):
                                yield self._scrubbed_delta(event)
                    end = assembler.end()
                    end = dataclasses.replace(end, completion=self._scrubbed(end.completion))
                    if reservation is not None:
                        done = end.completion
                        reservation.settle(done.prompt_tokens + done.completion_tokens)
            except openai.APIError as exc:
                error = redact_error(classify(exc, self.config, self.base_url), self._api_key)
                if isinstance(exc, openai.APIStatusError):
                    wait = retry_after(exc.response.headers)
            except EndpointUnreachableError:
                raise
            except ModelCallError as exc:
                error = redact_error(exc, self._api_key)
            except (asyncio.CancelledError, GeneratorExit):
                # Cancelled, or the reader stopped reading (a Stop button): either way the
                # request was on the wire and counts as an attempt.
                if sent:
                    cancelled = ModelCallError("cancelled", "the call was cancelled")
                    self._record(None, cancelled, started)
                raise
            else:
                self._breaker.record(None)
                self._record(end.completion, None)
                yield end
                return
            self._breaker.record(error.kind, str(error))
            self._record(None, error, started)
            if assembler is not None and assembler.started_output:
                raise error  # part of the reply is out: a retry would repeat it
            if not error.retryable or attempt + 1 == attempts:
                break
            await self._sleep(self._retry_wait(error, attempt, wait))
        raise self._final_error(error, attempts)

    def _retry_wait(self, error: ModelCallError, attempt: int, asked: float | None) -> float:
        """How long to wait before the next attempt: what the server asked, else backoff."""
        if asked is not None:
            return asked
        wait = backoff_delay(attempt, self._rng)
        if error.kind == "connection":
            # Refused at once: costs the server nothing, and lets the breaker decide
            # within seconds rather than after minutes of backoff.
            wait = min(wait, CONNECTION_BACKOFF_CAP)
        return wait

    def _final_error(self, error: ModelCallError, attempts: int) -> ModelCallError:
        """The error a call that gave up raises: the breaker's, or the last one's."""
        silent = self._breaker.trip_if_silent(attempts) if error.kind in UNANSWERED else None
        if silent is not None:
            return silent
        if attempts > 1 and error.retryable:
            return ModelCallError(
                error.kind,
                f"{error} (gave up after {attempts} attempts)",
                status=error.status,
                retryable=True,
            )
        return error

    def _streaming_sdk(self) -> openai.AsyncOpenAI:
        if self._stream_sdk is None:
            self._stream_http = openai.DefaultAsyncHttpxClient(timeout=self.config.timeout)
            self._stream_sdk = self._sdk.copy(http_client=self._stream_http)
        return self._stream_sdk

    def _scrubbed_delta(self, event: StreamEvent) -> StreamEvent:
        """A delta without the key; a key split across two deltas is caught only in the
        StreamEnd, whose whole text is scrubbed."""
        key = self._api_key
        if key and isinstance(event, TextDelta | ReasoningDelta) and key in event.text:
            return dataclasses.replace(event, text=redact(event.text, key))
        return event

    def _scrubbed(self, completion: Completion) -> Completion:
        """The completion without the key, should the endpoint have echoed it back."""
        key = self._api_key
        if not key or (key not in completion.raw and key not in (completion.reasoning or "")):
            return completion
        return dataclasses.replace(
            completion,
            text=redact(completion.text, key),
            raw=redact(completion.raw, key),
            reasoning=redact(completion.reasoning, key) if completion.reasoning else None,
        )

    def _slot(self, tokens: int) -> AbstractAsyncContextManager[Reservation | None]:
        if self._limiter is None:
            return _no_limit()
        return self._limiter.slot(tokens)

    def _record(
        self, completion: Completion | None, error: ModelCallError | None, started: float = 0.0
    ) -> None:
        if self._recorder is None:
            return
        scope = current_scope()
        self._recorder(
            CallRecord(
                endpoint=self.base_url,
                model=self.config.model,
                prompt_tokens=completion.prompt_tokens if completion else 0,
                completion_tokens=completion.completion_tokens if completion else 0,
                usage_estimated=completion.usage_estimated if completion else False,
                latency_ms=completion.latency_ms if completion else _ms(started),
                status="ok" if completion else "error",
                error_kind=error.kind if error else None,
                error=str(error) if error else None,
                cached=completion.cached if completion else False,
                created_at=datetime.now(UTC),
                project_id=scope.project_id,
                job_id=scope.job_id,
                model_config_id=scope.model_config_id,
            )
        )

    async def aclose(self) -> None:
        await self._sdk.close()
        await self._http.aclose()
        if self._stream_http is not None:
            await self._stream_http.aclose()


@asynccontextmanager
async def _no_limit() -> AsyncIterator[None]:
    yield None


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def parse_completion(
    content: bytes, messages: list[Message], latency_ms: int, model: str = ""
) -> Completion:
    """A Completion from a chat completion's JSON body; ModelCallError when it is not one."""
    try:
        data = json.loads(content)
        choice = data["choices"][0]
        message = choice["message"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        preview = content[:200].decode("utf-8", "replace")
        raise ModelCallError(
            "http",
            f"the endpoint's reply is not a chat completion ({exc!r}): {preview}",
            status=200,
        ) from None
    raw = _content_text(message.get("content"))
    text, tagged = split_reasoning(raw)
    reasoning = combine(message_reasoning(message), tagged)
    usage = data.get("usage") or {}
    prompt_tokens, completion_tokens = usage.get("prompt_tokens"), usage.get("completion_tokens")
    estimated = False
    if not (isinstance(prompt_tokens, int) and isinstance(completion_tokens, int)):
        estimated = True  # the endpoint reported no usage: count it ourselves
        prompt_tokens = estimate_messages(messages)
        completion_tokens = estimate_tokens(raw) + estimate_tokens(reasoning or "")
    return Completion(
        text=text,
        reasoning=reasoning,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        usage_estimated=estimated,
        finish_reason=choice.get("finish_reason"),
        model=str(data.get("model") or model),
        latency_ms=latency_ms,
        raw=raw,
    )


def _content_text(content: Any) -> str:
    """Message content as text; some servers send a list of typed parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""
