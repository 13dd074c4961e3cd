"""Benchmarks of the service desk; `bench/run` runs them and appends to docs/PERFORMANCE.md."""
