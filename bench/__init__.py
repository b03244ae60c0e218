"""Benchmarks: `make bench` (python -m bench). Figures are printed and written to
bench/results.json; nothing here is a pass/fail test."""
