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


def plot_profile(prediction, sweep: Mapping[int, object], *, measured_host: Mapping[str, float] | None = None):
    """The profiling figure: predicted time by op group, throughput against batch size, memory against capacity.

    ``prediction`` is a ``bertlib.profile.costmodel.Prediction``; ``sweep`` maps batch sizes to predictions
    of the same model, config and chip; ``measured_host`` (op group -> seconds on this CPU) adds a
    fourth panel, kept apart because it measures the host, not the chip.
    """
    panels = 4 if measured_host else 3
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2))
    groups = prediction.by_group()
    bottom = 0.0
    colors = plt.cm.tab10.colors
    for i, (group, seconds) in enumerate(groups.items()):
        axes[0].bar(["predicted"], [seconds * 1e3], bottom=bottom, color=colors[i % 10], label=group)
        bottom += seconds * 1e3
    axes[0].set_ylabel("ms per batch (device, estimate)")
    axes[0].set_title(f"{prediction.device_s * 1e3:.2f} ms, {prediction.sentences_per_s:.0f} sentences/s")
    axes[0].legend(fontsize=7)

    batches = sorted(sweep)
    rates = [sweep[b].sentences_per_s for b in batches]
    axes[1].plot(batches, rates, marker="o")
    misfits = [b for b in batches if not sweep[b].memory["fits"]]
    axes[1].plot(misfits, [sweep[b].sentences_per_s for b in misfits], "x", color="red", markersize=10,
                 label="does not fit in memory")
    axes[1].axvline(prediction.batch, color="gray", linestyle=":")
    axes[1].set_xscale("log", base=2)
    axes[1].set_xlabel("batch size")
    axes[1].set_ylabel("sentences/s (estimate)")
    axes[1].set_title(f"throughput on {prediction.chip}")
    if misfits:
        axes[1].legend(fontsize=7)

    mem = prediction.memory
    mib = 2**20
    names = ["weights (DRAM)", "activations", "L1 capacity", "DRAM capacity / 10"]
    values = [mem["weights_bytes"] / mib, mem["activations_peak_bytes"] / mib, mem["l1_capacity_bytes"] / mib,
              mem["dram_capacity_bytes"] / mib / 10]
    bar_colors = ["tab:blue", "tab:red" if not mem["fits"] else "tab:orange", "lightgray", "silver"]
    axes[2].barh(names, values, color=bar_colors)
    axes[2].set_xlabel("MiB per chip")
    axes[2].set_title("memory: " + ("fits" if mem["fits"] else "DOES NOT FIT"))
    if measured_host:
        axes[3].barh(list(measured_host), [s * 1e3 for s in measured_host.values()], color="tab:gray")
        axes[3].set_xlabel("ms on this CPU (emulator host time)")
        axes[3].set_title("measured here: the host, not the chip")
    fig.suptitle(f"{prediction.model}, batch {prediction.batch}, seq {prediction.seq}, {prediction.precision}: "
                 "predicted device time is an ESTIMATE")
    fig.tight_layout()
    return fig


def measured_vs_predicted(comparison, *, title: str = "", synthetic: bool = False):
    """Measured (tt-metal's device profiler) beside predicted device time: per op group, and per op in order.

    ``comparison`` is a ``bertlib.profile.measured.Comparison``; ``synthetic`` labels made-up measurements.
    """
    groups = comparison.by_group()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1, 1.6]})
    names = list(groups)
    positions = range(len(names))
    axes[0].barh([p + 0.2 for p in positions], [groups[g]["measured_s"] * 1e3 for g in names], height=0.4,
                 label="measured" + (" (SYNTHETIC)" if synthetic else ""), color="tab:green")
    axes[0].barh([p - 0.2 for p in positions], [groups[g]["predicted_s"] * 1e3 for g in names], height=0.4,
                 label="predicted", color="tab:blue")
    axes[0].set_yticks(list(positions), names)
    axes[0].invert_yaxis()
    axes[0].set_xlabel("ms per batch")
    axes[0].legend(fontsize=8)
    totals = comparison.totals()
    axes[0].set_title(f"per op group: predicted/measured {totals['ratio']:.2f}")
    matched = [r for r in comparison.rows if r["measured_s"] is not None]
    axes[1].scatter([r["measured_s"] * 1e6 for r in matched], [r["predicted_s"] * 1e6 for r in matched], s=8,
                    c=[names.index(r["group"]) for r in matched], cmap="tab10")
    top = max([r["measured_s"] for r in matched] + [r["predicted_s"] for r in matched]) * 1e6 * 1.1
    axes[1].plot([0, top], [0, top], color="gray", linestyle=":", label="predicted = measured")
    axes[1].set_xlabel("measured µs" + (" (SYNTHETIC)" if synthetic else ""))
    axes[1].set_ylabel("predicted µs")
    axes[1].set_title(f"per op: {comparison.matched} of {len(comparison.rows)} ops matched")
    axes[1].legend(fontsize=8)
    fig.suptitle(title + (" — SYNTHETIC measurements, not from a card" if synthetic else ""))
    fig.tight_layout()
    return fig


def plot_shards(memory_config, shape, *, title: str = "", ax=None):
    """A sharded tensor drawn on its core grid: each core labelled with the rows and columns of the
    ``(prod(shape[:-1]), shape[-1])`` matrix its shard holds (``memory_config`` is real ttnn's)."""
    import math

    import ttnn

    spec = memory_config.shard_spec
    box = spec.grid.bounding_box()
    grid_x, grid_y = box.end.x + 1, box.end.y + 1
    rows, cols = math.prod(shape[:-1]), shape[-1]
    shard_h, shard_w = spec.shape
    col_major = spec.orientation == ttnn.ShardOrientation.COL_MAJOR
    kind = memory_config.memory_layout
    if ax is None:
        _, ax = plt.subplots(figsize=(1.25 * grid_x + 1, 0.95 * grid_y + 1))
    colors = plt.cm.tab20.colors
    for index in range(grid_x * grid_y):
        if kind == ttnn.TensorMemoryLayout.BLOCK_SHARDED:  # rows of blocks down y (ROW_MAJOR) or along x (COL_MAJOR)
            x, y = index % grid_x, index // grid_x
            band, part = (x, y) if col_major else (y, x)
        else:  # height/width: shard i on the i-th core, row by row (ROW_MAJOR) or column by column (COL_MAJOR)
            x, y = (index // grid_y, index % grid_y) if col_major else (index % grid_x, index // grid_x)
            band, part = (index, 0) if kind == ttnn.TensorMemoryLayout.HEIGHT_SHARDED else (0, index)
        r0, c0 = band * shard_h, part * shard_w
        if r0 >= rows or c0 >= cols:
            continue
        ax.add_patch(plt.Rectangle((x, y), 0.95, 0.95, color=colors[band % 20], alpha=0.55))
        ax.text(x + 0.47, y + 0.47, f"rows {r0}-{min(r0 + shard_h, rows) - 1}\ncols {c0}-{min(c0 + shard_w, cols) - 1}",
                ha="center", va="center", fontsize=6.5)
    ax.set_xlim(0, grid_x)
    ax.set_ylim(grid_y, 0)
    ax.set_xticks([i + 0.47 for i in range(grid_x)], range(grid_x))
    ax.set_yticks([i + 0.47 for i in range(grid_y)], range(grid_y))
    ax.set_xlabel("core x")
    ax.set_ylabel("core y")
    ax.set_title(title or f"{str(kind).split('.')[-1].split('::')[-1]}, {list(shape)} in [{shard_h}, {shard_w}] shards")
    return ax
