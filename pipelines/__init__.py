"""The processing stages: parse (HTML → Article) and store (Article → SQLite).

Each stage is a set of pure functions; `pipelines.adapters` wires them into Scrapy.
"""
