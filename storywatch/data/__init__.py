"""Bundled data files (watch definitions)."""
