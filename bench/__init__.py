"""Benchmarks: scripts that measure speed, memory and quality and print figures."""
