"""Benchmarks of the portal under gunicorn on loopback; `make bench` runs them (see docs/performance.md)."""
