"""The component browser tests use the same headless Chromium as tests/browser."""

from tests.browser.conftest import pytest_setup_options  # noqa: F401
