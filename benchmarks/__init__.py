"""Benchmarks: `python -m benchmarks` (or `make bench`) prints a table of medians and p95s.

Every figure is measured on this machine with the real model, real Chroma and real processes,
in temporary folders (the project's own index is never touched).
"""
