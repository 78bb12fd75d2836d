"""A tuned model as a GGUF file that the local provider (llama.cpp) runs: the base GGUF's
metadata (architecture, tokenizer, chat template) around the tuned weights.

Only a base that came from a GGUF file can be written back this way: the tokenizer and
chat template are copied from it rather than rebuilt. Llama-architecture models (SmolLM2,
Llama, Mistral-style) are supported; llama.cpp orders each head's query and key rows for
its rotary embedding differently from Hugging Face, and transformers undid that order on
loading, so it is redone here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from easy_dataset.errors import ConfigError

TensorType = Literal["q8_0", "f16"]
SUPPORTED_ARCHITECTURES = ("llama",)
# Q8_0 packs rows in blocks of 32 values: a row of another length is written as F16.
Q8_0_BLOCK = 32


def export_gguf(
    model: Any,
    base_gguf: Path,
    target: Path,
    *,
    tensor_type: TensorType = "q8_0",
    name: str | None = None,
) -> Path:
    """Write `model`'s weights (a plain transformers model, LoRA already merged) as
    `target`, with the metadata of `base_gguf`; written whole or not at all."""
    import gguf

    reader = gguf.GGUFReader(base_gguf)
    arch = str(_field(reader, "general.architecture"))
    if arch not in SUPPORTED_ARCHITECTURES:
        raise ConfigError(
            f"cannot write a {arch} model as GGUF (supported: "
            f"{', '.join(SUPPORTED_ARCHITECTURES)}); use the merged model folder instead"
        )
    heads = int(_field(reader, f"{arch}.attention.head_count"))
    kv_heads = int(_field(reader, f"{arch}.attention.head_count_kv") or heads)
    weights = _gguf_named(model, int(_field(reader, f"{arch}.block_count")))

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    writer = gguf.GGUFWriter(partial, arch)
    try:
        _copy_metadata(reader, writer, tensor_type, name)
        for tensor in reader.tensors:
            data = weights.get(tensor.name)
            if data is None:
                raise ConfigError(f"the tuned model has no weight for {tensor.name}")
            if tensor.name.endswith("attn_q.weight"):
                data = _llama_order(data, heads, heads)
            elif tensor.name.endswith("attn_k.weight"):
                data = _llama_order(data, heads, kv_heads)
            _add(writer, tensor.name, data, tensor_type)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
    finally:
        writer.close()
    os.replace(partial, target)
    return target


def _field(reader: Any, key: str) -> Any:
    field = reader.get_field(key)
    return field.contents() if field is not None else None


def _gguf_named(model: Any, blocks: int) -> dict[str, Any]:
    """The model's weights as float32 arrays by their GGUF names."""
    import gguf

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, blocks)
    weights: dict[str, Any] = {}
    for hf_name, tensor in model.state_dict().items():
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is not None:
            weights[gguf_name] = tensor.detach().float().cpu().numpy()
    return weights


def _copy_metadata(reader: Any, writer: Any, tensor_type: TensorType, name: str | None) -> None:
    import gguf

    skipped = {"general.architecture", "general.file_type", "general.name"}
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name in skipped:
            continue
        kind = field.types[0]
        sub_type = field.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), kind, sub_type=sub_type)
    file_type = (
        gguf.LlamaFileType.MOSTLY_Q8_0 if tensor_type == "q8_0" else gguf.LlamaFileType.MOSTLY_F16
    )
    writer.add_file_type(file_type)
    writer.add_name(name or str(_field(reader, "general.name") or "tuned model"))


def _llama_order(weights: Any, heads: int, kv_heads: int) -> Any:
    """Query or key rows in llama.cpp's per-head order (the inverse of transformers' load)."""
    if heads != kv_heads:
        heads = kv_heads
    shape = weights.shape
    return (
        weights.reshape(heads, 2, shape[0] // heads // 2, *shape[1:]).swapaxes(1, 2).reshape(shape)
    )


def _add(writer: Any, name: str, data: Any, tensor_type: TensorType) -> None:
    """One tensor: norms and biases in F32, matrices in Q8_0 (or F16)."""
    import gguf
    import numpy as np

    if data.ndim == 1:
        writer.add_tensor(name, data.astype(np.float32))
    elif tensor_type == "q8_0" and data.shape[-1] % Q8_0_BLOCK == 0:
        kind = gguf.GGMLQuantizationType.Q8_0
        # The writer reads the value shape back from the packed bytes' shape.
        writer.add_tensor(name, gguf.quants.quantize(data.astype(np.float32), kind), raw_dtype=kind)
    else:
        writer.add_tensor(name, data.astype(np.float16))
