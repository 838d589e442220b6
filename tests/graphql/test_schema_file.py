"""docs/schema.graphql is the schema the code serves."""

from pathlib import Path

from saleor_notify_plugin.graphql.schema import sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "schema.graphql"


def test_committed_schema_matches_the_code():
    """Regenerate with: python -m saleor_notify_plugin.graphql.print_schema > docs/schema.graphql"""
    assert SCHEMA_FILE.read_text() == sdl(), "docs/schema.graphql is stale; regenerate it"
