"""A tiny random causal LM and a character-level tokenizer, built in a second with no
download, for the training tests."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest

from easy_dataset.train.data import CHATML_TEMPLATE, Conversation

SPECIALS = ["<unk>", "<pad>", "<|im_start|>", "<|im_end|>"]


def char_tokenizer() -> Any:
    """One token per character (printable ASCII and newline), ChatML markers whole."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    chars = sorted(set(string.printable) - set("\r\x0b\x0c"))
    vocab = {token: index for index, token in enumerate(SPECIALS + chars)}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(Regex("[\\s\\S]"), behavior="isolated")
    core.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="<unk>",
        pad_token="<pad>",
        eos_token="<|im_end|>",
        additional_special_tokens=["<|im_start|>"],
        clean_up_tokenization_spaces=False,
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer


def tiny_model(vocab_size: int, seed: int = 0) -> Any:
    """A 2-layer Llama with hidden size 32: random weights, trains in milliseconds a step."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        attention_dropout=0.1,
    )
    return LlamaForCausalLM(config)


def save_tiny(folder: Path) -> Path:
    """The tiny model and tokenizer written as a Hugging Face model folder."""
    tokenizer = char_tokenizer()
    tiny_model(len(tokenizer)).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def conversations(count: int = 24) -> list[Conversation]:
    """Short QA turns over two tags, with a pattern a tiny model can start to learn."""
    found = []
    for index in range(count):
        tag = "bees" if index % 2 else "honey"
        question = f"What is {tag} {index}?"
        answer = f"{tag} {index % 5} is good."
        found.append(Conversation((("user", question), ("assistant", answer)), tag))
    return found


def tiny_base_gguf(path: Path, model: Any, *, arch: str = "llama", extra: str = "") -> Path:
    """A GGUF file shaped like `model` (its metadata and tensor names, weights all zero),
    standing in for a base loaded from GGUF; `extra` names one more tensor than it has."""
    import gguf
    import numpy as np

    config = model.config
    writer = gguf.GGUFWriter(path, arch)
    writer.add_name("tiny base")
    writer.add_block_count(config.num_hidden_layers)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_vocab_size(config.vocab_size)
    writer.add_chat_template(CHATML_TEMPLATE)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    for hf_name, tensor in model.state_dict().items():
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is not None:
            writer.add_tensor(name, np.zeros(tuple(tensor.shape), dtype=np.float32))
    if extra:
        writer.add_tensor(extra, np.zeros(4, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def count_gguf_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files gguf's reader parses from now on (the list grows with each read)."""
    import gguf

    reads: list[Path] = []

    class Counted(gguf.gguf_reader.GGUFReader):  # type: ignore[misc]
        def __init__(self, path: Path, mode: Any = "r") -> None:
            reads.append(Path(path))
            super().__init__(path, mode)

    for module in (gguf, gguf.gguf_reader):
        monkeypatch.setattr(module, "GGUFReader", Counted)
    return reads
