"""The plugin's own GraphQL API (graphene 2), served at ``/plugins/global/saleor.notify/graphql/``.

Nothing here imports Saleor: the caller is a :class:`~.requestor.Requestor`, which the
installed shop (``saleor_shop`` inside Saleor) builds from Saleor's JWT or app token, and tests
build directly.
"""
