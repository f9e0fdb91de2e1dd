"""Where bertlib's files are: the repository, its ``data/``, and the ``../shared`` folder beside a checkout.

``../shared`` exists on this project's own machines only. Nothing a fresh clone needs for the demo, the
widget or the notebooks without SQuAD lives there.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"
SHARED_DIR = REPO_ROOT.parent / "shared"
DEFAULT_INPUT = DATA_DIR / "input_data.json"  # the demo inputs
MODELS_DIR = DATA_DIR / "models"  # the shipped default QA model
RECREATED_DIR = MODELS_DIR / "recreated"  # where ``python -m bertlib finetune`` writes (ignored by git)
