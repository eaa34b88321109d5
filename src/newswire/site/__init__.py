"""The reader website: pages, feeds and sitemaps in every working language."""
