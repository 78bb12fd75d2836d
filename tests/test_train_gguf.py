"""A tuned model written as GGUF for llama.cpp: the base GGUF's metadata around the tuned
weights, query and key rows in llama.cpp's order (transformers reads them back unchanged),
and the run's tuned model registered as a model configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from easy_dataset.errors import ConfigError
from easy_dataset.services import models, projects
from easy_dataset.services.app import App
from easy_dataset.store.training import TrainingRun
from easy_dataset.train import results
from easy_dataset.train.gguf_export import export_gguf
from easy_dataset.train.gguf_reading import read_once
from easy_dataset.train.models import apply_method, load_model, resolve_base
from easy_dataset.train.settings import TrainSettings
from tests.train_support import (
    CHATML_TEMPLATE,
    char_tokenizer,
    count_gguf_reads,
    tiny_base_gguf,
    tiny_model,
)


def _read_back(path: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        path.parent, gguf_file=path.name, dtype=torch.float32
    )
    return dict(model.state_dict())


@pytest.mark.parametrize(("tensor_type", "tolerance"), [("f16", 1e-3), ("q8_0", 5e-3)])
def test_the_weights_read_back_as_written(
    tmp_path: Path, tensor_type: Any, tolerance: float
) -> None:
    model = tiny_model(120, seed=1)
    base = tiny_base_gguf(tmp_path / "base.gguf", tiny_model(120, seed=2))
    written = export_gguf(model, base, tmp_path / "out" / "tuned.gguf", tensor_type=tensor_type)
    back = _read_back(written)
    for name, tensor in model.state_dict().items():
        # A wrong row order of attn_q / attn_k would differ here by the weights' own size.
        assert (back[name] - tensor).abs().max().item() < tolerance, name
    assert not (tmp_path / "out" / "tuned.gguf.partial").exists()


def test_the_base_metadata_is_kept_with_the_new_file_type_and_name(tmp_path: Path) -> None:
    import gguf

    base = tiny_base_gguf(tmp_path / "base.gguf", tiny_model(120))
    written = export_gguf(tiny_model(120), base, tmp_path / "t.gguf", name="run-3 tuned")
    reader = gguf.GGUFReader(written)

    def field(key: str) -> Any:
        found = reader.get_field(key)
        assert found is not None, key
        return found.contents()

    assert field("tokenizer.chat_template") == CHATML_TEMPLATE
    assert field("llama.attention.head_count_kv") == 2
    assert field("general.name") == "run-3 tuned"
    assert field("general.file_type") == gguf.LlamaFileType.MOSTLY_Q8_0


def test_an_architecture_without_a_known_row_order_is_refused(tmp_path: Path) -> None:
    base = tiny_base_gguf(tmp_path / "base.gguf", tiny_model(120), arch="gpt2")
    with pytest.raises(ConfigError, match="merged model folder"):
        export_gguf(tiny_model(120), base, tmp_path / "t.gguf")
    assert not list(tmp_path.glob("t.gguf*"))


def test_a_weight_the_model_lacks_is_named_and_nothing_is_left(tmp_path: Path) -> None:
    base = tiny_base_gguf(tmp_path / "base.gguf", tiny_model(120), extra="blk.9.attn_q.weight")
    with pytest.raises(ConfigError, match=r"blk\.9\.attn_q\.weight"):
        export_gguf(tiny_model(120), base, tmp_path / "t.gguf")
    assert not (tmp_path / "t.gguf").exists()


def test_a_lora_run_from_a_gguf_base_leaves_a_gguf_of_the_merged_model(tmp_path: Path) -> None:
    tokenizer = char_tokenizer()
    model = tiny_model(len(tokenizer))
    base = tiny_base_gguf(tmp_path / "base.gguf", model)
    settings = TrainSettings(lora_r=4, gguf="f16")
    tuned = apply_method(model, settings)
    outputs = results.save_models(tuned, tokenizer, settings, tmp_path / "run", base_gguf=base)
    assert set(outputs) == {"adapter", "merged", "gguf"}
    back = _read_back(Path(outputs["gguf"]))
    merged = tuned.merge_and_unload().state_dict()
    assert (
        back["model.layers.0.self_attn.q_proj.weight"]
        - merged["model.layers.0.self_attn.q_proj.weight"]
    ).abs().max().item() < 1e-3
    # Asked for none, or from a Hugging Face folder (no base GGUF): no GGUF.
    none = TrainSettings(lora_r=4, gguf="none")
    plain = apply_method(tiny_model(len(tokenizer)), none)
    assert "gguf" not in results.save_models(
        plain, tokenizer, none, tmp_path / "r2", base_gguf=base
    )


def test_the_tuned_gguf_becomes_a_model_configuration(app: App, tmp_path: Path) -> None:
    project = projects.create_project(app, "tuned")
    gguf_file = tmp_path / "model.gguf"
    with app.db.session() as session:
        row = TrainingRun(
            project_id=project.id,
            name="r",
            method="lora",
            base_model="embedded",
            settings={},
            curves={},
            metrics={},
            outputs={},
        )
        session.add(row)
        session.flush()
        run_id = row.id
    from easy_dataset.services.training.runs import finish_run, get_run

    result = {"metrics": {"steps": 3}, "curves": {}, "outputs": {"gguf": str(gguf_file)}}
    with app.db.session() as session:
        finish_run(session, run_id, result)
    run = get_run(app, project.id, run_id)
    assert run.status == "done" and run.model_name == f"tuned-{run_id}"
    resolved = models.resolve_model(app, project.id, run.model_name)
    assert resolved.config.provider == "local" and resolved.config.model == str(gguf_file)


def test_within_read_once_a_gguf_base_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = count_gguf_reads(monkeypatch)
    base = tiny_base_gguf(tmp_path / "base.gguf", tiny_model(120, seed=1))
    source = resolve_base(str(base))
    with read_once():
        load_model(source, TrainSettings(), "cpu")  # its config, then its weights
        load_model(source, TrainSettings(), "cpu")
        assert reads == [base]
        tiny_base_gguf(base, tiny_model(120, seed=2))  # written again: read again
        load_model(source, TrainSettings(), "cpu")
        assert reads == [base, base]
    import gguf

    assert gguf.GGUFReader is gguf.gguf_reader.GGUFReader  # the package's name given back
    load_model(source, TrainSettings(), "cpu")  # outside the block, as transformers reads
    assert reads == [base, base, base, base]
