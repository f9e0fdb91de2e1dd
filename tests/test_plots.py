import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import torch  # noqa: E402

from bertlib.plots import plot_attention_pair, plot_layer_pcc  # noqa: E402


def frame(drop: float) -> pd.DataFrame:
    rows = [dict(layer="embeddings", block="embeddings", pcc=1.0, max_abs_err=0.0, shape="1")]
    rows += [dict(layer=i, block=b, pcc=1 - drop * i, max_abs_err=0.1, shape="1") for i in range(3) for b in ("query", "output")]
    rows += [dict(layer="qa_head", block="qa_logits", pcc=0.9, max_abs_err=0.1, shape="1")]
    return pd.DataFrame(rows)


def test_layer_pcc_plot_has_a_panel_per_config_and_a_line_per_block():
    fig = plot_layer_pcc({"bf16-hifi4": frame(0.001), "optimized": frame(0.01)})
    axes = fig.get_axes()
    assert len(axes) == 2
    assert {line.get_label() for line in axes[0].get_lines()} == {"embeddings", "query", "output", "qa_logits"}
    assert "min PCC 0.9000" in axes[1].get_title()
    output = [line for line in axes[1].get_lines() if line.get_label() == "output"][0]
    assert list(output.get_xdata()) == [0, 1, 2] and output.get_ydata()[-1] == 1 - 0.02


def test_attention_pair_shows_the_difference():
    hf = torch.softmax(torch.randn(1, 2, 5, 5), -1)
    fig = plot_attention_pair(hf, hf + 0.1, ["[CLS]", "a", "b", "c", "[SEP]"], head=1)
    images = [ax.get_images()[0] for ax in fig.get_axes() if ax.get_images()]
    assert len(images) == 3
    assert abs(images[2].get_array().max() - 0.1) < 1e-6
