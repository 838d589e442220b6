"""Print the schema in SDL: ``python -m saleor_notify_plugin.graphql.print_schema > docs/schema.graphql``."""

from __future__ import annotations

import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_notify_plugin.standalone_settings")
    import django

    django.setup()
    from .schema import sdl

    print(sdl(), end="")


if __name__ == "__main__":
    main()
