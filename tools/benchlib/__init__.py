"""Tools, benchmarks: the pieces of tools/bench.py (Strix versus Linux under QEMU)."""
