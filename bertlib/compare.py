"""Layer-by-layer comparison of the TT-NN model against HuggingFace: one row per captured tensor.

Both models run one layer at a time, each on its *own* previous output, so the table shows how error
builds up through the stack while only one layer's intermediates are held at once.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import torch

from bertlib import reference
from bertlib.models import TTModel, load_model
from bertlib.models.bert import bert_embeddings, bert_layer, bert_qa_head, preprocess_inputs
from bertlib.models.precisions import PrecisionConfig
from bertlib.models.registry import LoadedModel
from bertlib.pcc import comp_pcc, max_abs_err
from bertlib.qa.windows import Windows

COLUMNS = ["layer", "block", "pcc", "max_abs_err", "shape"]


def _row(layer: Any, block: str, golden: torch.Tensor, calculated: torch.Tensor) -> dict:
    if tuple(golden.shape) != tuple(calculated.shape):
        raise RuntimeError(f"{block} of layer {layer}: HF shape {tuple(golden.shape)} vs TT-NN {tuple(calculated.shape)}")
    _, value = comp_pcc(golden, calculated)
    return dict(layer=layer, block=block, pcc=value, max_abs_err=max_abs_err(golden, calculated),
                shape="x".join(map(str, golden.shape)))


def compare(model: str | LoadedModel | TTModel = "auto", windows: Windows | None = None,
            precision: str | PrecisionConfig = "bf16-hifi4", *, handle: Any = None) -> pd.DataFrame:
    """PCC and max abs error of every captured tensor, TT-NN vs HF, as a DataFrame (``COLUMNS``).

    ``layer`` is ``"embeddings"``, the encoder layer's index, or ``"qa_head"``. ``windows`` defaults to
    the demo inputs at batch 1, sequence 384 (``bertlib.inputs.default_windows``).
    """
    from bertlib.device import borrow_device

    if isinstance(model, TTModel):
        return _compare(model, windows)
    loaded = load_model(model) if isinstance(model, str) else model
    with borrow_device(handle) as handle:
        return _compare(TTModel.build(loaded, precision, handle), windows)


def _compare(tt: TTModel, windows: Windows | None) -> pd.DataFrame:
    """``compare``'s rows for a model already built on its device."""
    loaded = tt.loaded
    if windows is None:
        from bertlib.inputs import default_windows

        windows = default_windows(loaded, batch=1, seq=384)
    config = tt.config
    token_types = windows.token_type_ids if loaded.has_token_types else None
    ids, types, positions, mask = preprocess_inputs(config, windows.input_ids, token_types, windows.attention_mask)
    rows = []

    capture: dict = {}
    tt_hidden = bert_embeddings(config, ids, types, positions, parameters=tt.parameters.embeddings, capture=capture)
    hf_hidden = reference.embeddings(loaded, windows.input_ids, windows.token_type_ids)
    rows.append(_row("embeddings", "embeddings", hf_hidden, capture["embeddings"]))

    for index, layer_parameters in enumerate(tt.parameters.encoder.layer):
        capture = {}
        tt_hidden = bert_layer(config, tt_hidden, mask, parameters=layer_parameters, capture=capture)
        hf_hidden, golden = reference.layer(loaded, index, hf_hidden, windows.attention_mask)
        rows += [_row(index, block, golden[block], capture[block]) for block in golden]

    capture = {}
    bert_qa_head(config, tt_hidden, parameters=tt.parameters.qa_outputs, capture=capture)
    rows.append(_row("qa_head", "qa_logits", reference.qa_logits(loaded, hf_hidden), capture["qa_logits"]))
    return pd.DataFrame(rows, columns=COLUMNS)
