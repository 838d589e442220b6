"""Saleor objects -> notification events: sources, idempotency keys, payloads.

With ``plugin.py`` and ``saleor_shop.py``, the only code that imports Saleor. Each module
captures one event (``order_completed``, ``funnel``, ``customer_created``, ``product_conflict``,
``subscription_canceled``, ``contact_created``, ``shipping_tracking``, the pollers'
``transactions`` and ``reconcile``); ``payments`` runs the first ones for an order's payment.
``plugin.py`` makes one guarded call into them per hook.
"""
