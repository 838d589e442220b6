"""Limits on one operation, checked on the parsed document before anything runs.

At least as strict as Saleor's own API: the number of aliases (``GRAPHQL_ALIAS_COUNT_LIMIT``)
and the query's cost (``GRAPHQL_QUERY_MAX_COMPLEXITY``); the lower of Saleor's setting and
ours applies. The cost counts every field once per object it may be resolved for: a field
inside a list asked with ``first: 100`` costs 100 times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from graphql import GraphQLList, GraphQLNonNull
from graphql.language import ast

from ..conf import get_settings
from .pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

#: Fields returning lists that are not paginated: at most this many items each (the ten events,
#: the sources, a delivery's attempts and a channel's attachments are all small).
UNPAGED_LIST_SIZE = 10


@dataclass(frozen=True, slots=True)
class Usage:
    aliases: int
    cost: int
    top_level_fields: int  # of the operation that will run (what the rate limit counts)


def max_aliases() -> int:
    ours = get_settings().graphql_max_aliases
    saleor = getattr(django_settings, "GRAPHQL_ALIAS_COUNT_LIMIT", None)
    return min(ours, saleor) if isinstance(saleor, int) and saleor > 0 else ours


def max_complexity() -> int:
    ours = get_settings().graphql_max_complexity
    saleor = getattr(django_settings, "GRAPHQL_QUERY_MAX_COMPLEXITY", None)
    return min(ours, saleor) if isinstance(saleor, int) and saleor > 0 else ours


def _int_argument(field: ast.Field, names: tuple[str, ...], variables: dict[str, Any]) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value not in names:
            continue
        value = argument.value
        if isinstance(value, ast.Variable):
            raw = variables.get(value.name.value)
        elif isinstance(value, ast.IntValue):
            raw = value.value
        else:
            raw = None
        try:
            return max(0, min(int(raw), MAX_PAGE_SIZE)) if raw is not None else None
        except (TypeError, ValueError):
            return None
    return None


def _unwrap(graphql_type: Any) -> tuple[Any, bool]:
    """The named type under NonNull/List wrappers, and whether a list was among them."""
    is_list = False
    while isinstance(graphql_type, GraphQLList | GraphQLNonNull):
        is_list = is_list or isinstance(graphql_type, GraphQLList)
        graphql_type = graphql_type.of_type
    return graphql_type, is_list


class _Walker:
    def __init__(self, schema: Any, document: ast.Document, variables: dict[str, Any]) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, ast.FragmentDefinition)
        }
        self.variables = variables

    def _children_multiplier(self, parent: Any, field: ast.Field, definition: Any) -> tuple[Any, int]:
        child, is_list = _unwrap(definition.type)
        if "first" in definition.args or "last" in definition.args:  # a connection
            size = _int_argument(field, ("first", "last"), self.variables)
            return child, DEFAULT_PAGE_SIZE if size is None else max(size, 1)
        if is_list and not parent.name.endswith("Connection"):  # a connection's edges are counted above
            return child, UNPAGED_LIST_SIZE
        return child, 1

    def cost(self, parent: Any, selection_set: ast.SelectionSet | None, multiplier: int, path: frozenset[str]) -> int:
        total = 0
        for selection in (selection_set.selections if selection_set else ()):
            if isinstance(selection, ast.Field):
                total += multiplier
                fields = getattr(parent, "fields", None) or {}
                definition = fields.get(selection.name.value)
                if selection.selection_set is not None and definition is not None:  # unknown: the validator's
                    child, size = self._children_multiplier(parent, selection, definition)
                    total += self.cost(child, selection.selection_set, multiplier * size, path)
            elif isinstance(selection, ast.InlineFragment):
                total += self.cost(self._condition(selection, parent), selection.selection_set, multiplier, path)
            elif isinstance(selection, ast.FragmentSpread):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in path:  # a cycle is the validator's to report
                    total += self.cost(
                        self._condition(fragment, parent), fragment.selection_set, multiplier, path | {name}
                    )
        return total

    def _condition(self, fragment: Any, default: Any) -> Any:
        condition = getattr(fragment, "type_condition", None)
        if condition is None:
            return default
        return self.schema.get_type(condition.name.value) or default

    def top_level(self, selection_set: ast.SelectionSet | None, path: frozenset[str]) -> int:
        count = 0
        for selection in (selection_set.selections if selection_set else ()):
            if isinstance(selection, ast.Field):
                count += 1
            elif isinstance(selection, ast.InlineFragment):
                count += self.top_level(selection.selection_set, path)
            elif isinstance(selection, ast.FragmentSpread):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and selection.name.value not in path:
                    count += self.top_level(fragment.selection_set, path | {selection.name.value})
        return count


def _aliases(node: Any) -> int:
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Field) and current.alias is not None:
            count += 1
        selection_set = getattr(current, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def _root(schema: Any, operation: ast.OperationDefinition) -> Any:
    if operation.operation == "mutation":
        return schema.get_mutation_type()
    if operation.operation == "subscription":
        return schema.get_subscription_type()
    return schema.get_query_type()


def usage(
    schema: Any, document: ast.Document, variables: dict[str, Any] | None, operation_name: str | None
) -> Usage:
    """``schema``: graphql-core's schema (graphene's ``schema.get_graphql_type`` side)."""
    walker = _Walker(schema, document, variables or {})
    operations = [d for d in document.definitions if isinstance(d, ast.OperationDefinition)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    return Usage(
        aliases=sum(_aliases(d) for d in document.definitions),
        cost=sum(walker.cost(_root(schema, o), o.selection_set, 1, frozenset()) for o in operations),
        top_level_fields=max((walker.top_level(o.selection_set, frozenset()) for o in chosen), default=0),
    )


def exceeded(found: Usage) -> str | None:
    """Why the operation is refused, or None."""
    if found.aliases > max_aliases():
        return f"The operation uses {found.aliases} aliases; at most {max_aliases()} are accepted."
    if found.cost > max_complexity():
        return f"The operation's cost is {found.cost}; at most {max_complexity()} is accepted."
    return None
