"""Browser tests of the website; the chromium fixtures live in tests/conftest.py."""

from tests.conftest import CHROMIUM

__all__ = ["CHROMIUM"]
