"""The plugin's own GraphQL API (graphene 2), served at ``/plugins/global/saleor.notify/graphql/``.

Nothing here imports Saleor: the caller is a :class:`~.requestor.Requestor`, which
``saleor_auth`` builds from Saleor's JWT or app token inside Saleor, and tests build directly.
"""
