"""Output and input formats: ninjs 2.2 and 3.1, NewsML-G2 2.35 with NITF 3.6."""
