"""Pure delivery core: envelope, signing, retry policy and HTTP transport (no Django, no Saleor)."""
