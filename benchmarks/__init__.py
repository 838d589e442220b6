"""Benchmarks of saleor_notify_plugin against real PostgreSQL, Redis, a Celery worker and a receiver.

Run everything (writes docs/performance.md and docs/performance.json):

    .venv/bin/python -m benchmarks            # full run
    .venv/bin/python -m benchmarks --quick    # smoke run, small sizes
"""
