"""vnnews: crawl Vietnamese state and Party news portals into one SQLite file."""

__version__ = "0.1.0"
