"""The website's share of a web process."""

from __future__ import annotations

from newswire.site.cache import PageCache
from newswire.site.pages import SiteContext
from newswire.site.render import Renderer


class SiteState:
    """The website's share of a web process: renderer, page cache, and the site context."""

    def __init__(self) -> None:
        self.renderer = Renderer()
        self.cache = PageCache()
        self.context: SiteContext | None = None
