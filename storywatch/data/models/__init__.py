"""Bundled kind models (see detection.kindmodel; trained by bench/train_kinds.py)."""
