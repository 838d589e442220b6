"""The order states capture decides on: Saleor's ``OrderChargeStatus`` and ``OrderStatus`` values."""

PAID = ("full", "overcharged")  # OrderChargeStatus values of a fully paid order
CHARGED = ("partial", "full", "overcharged")  # at least one successful payment
NOT_PLACED = ("draft", "expired")  # OrderStatus values of an order nobody placed
