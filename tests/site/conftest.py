"""Browser tests drive Debian's chromium through pytest-playwright; no browser is downloaded.

NEWSWIRE_CHROMIUM names the binary (default /usr/bin/chromium); `make browser-deps` installs it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("NEWSWIRE_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # pytest-playwright's own fixture keeps --headed, --slowmo and friends; we add the binary,
    # and --disable-gpu, as machines running the tests have no GPU (see RECIPES: Browser tests).
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--disable-gpu"],
    }


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    # The same as pytest-playwright 0.10.0's fallback fixture, which is an instance method of a
    # plugin class: pytest 9.1 deprecates those (PytestRemovedIn10Warning, an error here).
    return pytestconfig.getoption("--base-url", None) or pytestconfig.getini("base_url") or None
