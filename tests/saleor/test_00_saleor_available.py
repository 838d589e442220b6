"""The one test that says whether the Saleor tier can run here."""

import pytest

from tests.saleor.conftest import HOW_TO_RUN, SALEOR_AVAILABLE


def test_saleor_is_installed():
    """Saleor is importable (else the whole tier is skipped with how to run it)."""
    if not SALEOR_AVAILABLE:
        pytest.skip(HOW_TO_RUN)
    import saleor

    assert saleor.__version__.startswith("3.24")
