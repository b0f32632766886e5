"""Benchmarks that print figures (`make bench` = `python -m bench`). SYNTHETIC national-scale data: bench/synth.py."""
