"""Helpers the op-family tests share."""

import torch


def stored(ttnn, t) -> torch.Tensor:
    """A device tensor's values as float32, as the card stored them."""
    return ttnn.to_torch(t).to(torch.float32)
