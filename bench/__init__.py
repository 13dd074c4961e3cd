"""Benchmarks of the service desk; `bench/run` runs them and writes docs/PERFORMANCE.md."""
