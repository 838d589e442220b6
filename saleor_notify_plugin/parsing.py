"""One parser per kind of setting value: what a deployment writes in ``SALEOR_NOTIFY`` (often
from environment variables, so text is accepted for numbers and switches) and what the
dashboard saves (always text or a boolean).

Each parser returns the typed value or raises :class:`SettingError` naming the setting and
saying what it expected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})


class SettingError(ValueError):
    """A setting's value cannot be used; the message names the setting and the expected form."""

    def __init__(self, name: str, expected: str, value: Any) -> None:
        super().__init__(f"{name} must be {expected}, not {_shown(value)}.")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def to_bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise SettingError(name, "true or false", value)


def to_int(value: Any, name: str, minimum: float | None = None) -> int:
    if isinstance(value, bool):
        raise SettingError(name, "a whole number", value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            raise SettingError(name, "a whole number", value) from None
    else:
        raise SettingError(name, "a whole number", value)
    _at_least(number, minimum, name, value)
    return number


def to_float(value: Any, name: str, minimum: float | None = None) -> float:
    if isinstance(value, bool):
        raise SettingError(name, "a number", value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise SettingError(name, "a number", value) from None
    else:
        raise SettingError(name, "a number", value)
    if number != number or number in (float("inf"), float("-inf")):
        raise SettingError(name, "a finite number", value)
    _at_least(number, minimum, name, value)
    return number


def _at_least(number: float, minimum: float | None, name: str, value: Any) -> None:
    if minimum is not None and number < minimum:
        raise SettingError(name, f"at least {minimum:g}", value)


def to_text(value: Any, name: str) -> str:
    """Text, stripped; nothing is the empty text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    raise SettingError(name, "text", value)


def to_optional_text(value: Any, name: str) -> str | None:
    """Text, stripped; nothing or the empty text is None (the setting is not set)."""
    return to_text(value, name) or None


def to_text_list(value: Any, name: str) -> tuple[str, ...]:
    """A list of texts, or one text of items separated by commas or line breaks; blanks dropped."""
    if value is None:
        return ()
    items: Iterable[Any]
    if isinstance(value, (str, bytes)):
        value = _ascii(value, name).replace("\n", ",").split(",")
    elif not isinstance(value, (list, tuple)):
        raise SettingError(name, "a list of texts or a comma-separated text", value)
    if not all(isinstance(item, (str, bytes)) for item in value):
        raise SettingError(name, "a list of texts", value)
    items = (_ascii(item, name).strip() for item in value)
    return tuple(item for item in items if item)


def _ascii(value: str | bytes, name: str) -> str:
    """Text; bytes (e.g. a key from ``Fernet.generate_key()``) as ASCII."""
    if isinstance(value, str):
        return value
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise SettingError(name, "ASCII text", value) from None


def to_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    word = value.strip().lower() if isinstance(value, str) else value
    if word in choices:
        return str(word)
    raise SettingError(name, f"one of {', '.join(choices)}", value)
