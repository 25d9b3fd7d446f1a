"""Bundled watch definitions; read with importlib.resources."""
