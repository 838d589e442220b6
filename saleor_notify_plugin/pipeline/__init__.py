"""The delivery pipeline, one module per stage, in the order an event travels:

``recording`` (one guarded INSERT in the shop's transaction) -> ``broker`` (task messages, after
commit) -> ``fan_out`` (one delivery per matching channel) -> ``attempts`` (claim, send through
``send``, then ``results`` writes the attempt and applies the retry rules) -> ``broker`` again for
a retry. ``manual_retry`` re-opens failed deliveries by hand; ``upkeep`` (the sweep) re-hands what
a lost message or a dead worker left behind, and deletes what is past its retention.

The Celery tasks that run these stages are in ``saleor_notify_plugin.tasks``.
"""
