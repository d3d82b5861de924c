"""Benchmarks (not tests): run with ``make bench``; see bench/README.md."""
