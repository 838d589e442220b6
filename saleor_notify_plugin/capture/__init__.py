"""Saleor objects -> notification events: sources, idempotency keys, payloads.

The only package besides ``plugin.py`` that imports Saleor. Each module handles one family
of business events; ``plugin.py`` makes one guarded call into them per hook.
"""
