"""The matplotlib figures the notebooks share: per-layer PCC, attention maps side by side."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd
import torch


def _layer_position(layer: object, layers: int) -> float:
    if layer == "embeddings":
        return -1
    if layer == "qa_head":
        return layers
    return float(layer)


def plot_layer_pcc(frames: Mapping[str, pd.DataFrame], *, title: str = "TT-NN vs HuggingFace, layer by layer"):
    """One panel per precision config (``{name: compare(...) frame}``), one line per block: PCC against layer."""
    fig, axes = plt.subplots(1, len(frames), figsize=(6 * len(frames), 4), sharey=True, squeeze=False)
    for ax, (name, frame) in zip(axes[0], frames.items(), strict=True):
        layers = int(pd.to_numeric(frame.layer, errors="coerce").max()) + 1
        colors = plt.cm.tab20.colors
        for i, (block, rows) in enumerate(frame.groupby("block", sort=False)):
            x = [_layer_position(v, layers) for v in rows.layer]
            ax.plot(x, rows.pcc, marker="os^D"[i % 4], markersize=4, color=colors[(2 * i) % 20], label=block)
        ax.set_title(f"{name} (min PCC {frame.pcc.min():.4f})")
        ax.set_xlabel("encoder layer (-1: embeddings, last: QA head)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("PCC against HuggingFace")
    axes[0][-1].legend(fontsize=7, loc="lower left")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_attention_pair(hf_probs: torch.Tensor, tt_probs: torch.Tensor, tokens: list[str], *, head: int = 0,
                        title: str = "attention probabilities"):
    """HF's and TT-NN's attention map for one head, side by side, with their difference."""
    hf_map, tt_map = hf_probs[0, head].float(), tt_probs[0, head].float()
    n = len(tokens)
    panels = [("HuggingFace", hf_map[:n, :n]), ("TT-NN", tt_map[:n, :n]), ("|difference|", (hf_map - tt_map)[:n, :n].abs())]
    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    for ax, (name, values) in zip(axes, panels, strict=True):
        image = ax.imshow(values.numpy(), cmap="viridis")
        ax.set_title(f"{name}, head {head}")
        ax.set_xlabel("key token")
        ax.set_ylabel("query token")
        if n <= 40:
            ax.set_xticks(range(n), tokens, rotation=90, fontsize=6)
            ax.set_yticks(range(n), tokens, fontsize=6)
        fig.colorbar(image, ax=ax, fraction=0.046)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
