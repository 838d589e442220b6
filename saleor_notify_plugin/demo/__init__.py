"""A self-contained demonstration: ``python -m saleor_notify_plugin.demo``."""
