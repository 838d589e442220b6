"""The plugin's pages inside the Saleor dashboard, as a Saleor App the plugin itself serves.

Under ``/plugins/global/saleor.notify/``: the app manifest (``app/manifest/``), the token
registration Saleor calls at installation (``app/register/``) and the pages (``app/...``),
built from ``frontend/`` into ``static/``. The pages call the plugin's GraphQL API with the
token the dashboard hands them (AppBridge).
"""
