"""Scrapy settings of vnnews; `VNNEWS_*` settings are ours, each documented here.

Override any of them per run: `vnnews crawl SITE -s NAME=VALUE` or `scrapy crawl SITE -s ...`.
"""

from __future__ import annotations

import os

from scraper import __version__

BOT_NAME = "vnnews"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# --- vnnews -----------------------------------------------------------------------------------
# The SQLite file the crawl writes to.
VNNEWS_DB = os.environ.get("VNNEWS_DB", "vnnews.db")
# Fetch from this origin instead of the portal's own (a mirror, a cache, the demo snapshot).
# URLs are still stored as the portal's; on a loopback origin politeness delays are off.
VNNEWS_BASE_URL = ""
# How many pages of each listing to read (0: until a page has no article link).
VNNEWS_MAX_PAGES = 10
# Stop scheduling article pages after this many (0: no limit).
VNNEWS_MAX_ARTICLES = 0
# Only articles published on or after this date (YYYY-MM-DD); bounds a backfill. Feed and
# sitemap entries are filtered by their dates, listings stop paging once they reach it.
VNNEWS_SINCE = ""
# Find people, provinces, organisations and figures in each article (the enrich stage).
VNNEWS_ENRICH = True
# Processes for the enrich stage (0: one per CPU).
VNNEWS_ENRICH_WORKERS = 0
# Articles go to those processes this many at a time, or this many seconds after the first
# of a batch arrived: enough for every worker to hold one batch while another waits.
VNNEWS_ENRICH_BATCH = 4
VNNEWS_ENRICH_BATCH_WAIT = 0.05
# A run with more failures and errors than this exits 1 (0: no limit).
VNNEWS_MAX_ERRORS = 100
# The store stage commits every this many items, or this many seconds after its first
# uncommitted one: one commit per article cost half the crawl's time (each rewrites the
# full-text index's pages). A killed run loses at most these, which the next run fetches.
VNNEWS_COMMIT_ITEMS = 200
VNNEWS_COMMIT_SECONDS = 2.0
# Articles published within this many days are fetched again on each run, to catch edits.
VNNEWS_RECHECK_DAYS = int(os.environ.get("VNNEWS_RECHECK_DAYS", "7"))
# A URL that failed (fetch, parse, enrich, store) is tried again on later runs: this many
# hours after its first failure, twice as long after each further one...
VNNEWS_RETRY_BACKOFF_HOURS = float(os.environ.get("VNNEWS_RETRY_BACKOFF_HOURS", "6"))
# ...until it has failed this many times in a row: then it is given up (state "gave up").
VNNEWS_MAX_ATTEMPTS = int(os.environ.get("VNNEWS_MAX_ATTEMPTS", "5"))
# Within a run, a 5xx, a timeout or a reset is retried RETRY_TIMES times, waiting this many
# seconds before the first retry and twice as long before each next one.
VNNEWS_RETRY_DELAY = float(os.environ.get("VNNEWS_RETRY_DELAY", "2"))
# A crawl spread over machines (`crawl --redis URL`, docs/distributed.md): the Redis URL;
# how long (seconds) an empty shared queue is waited on before the crawler exits (None:
# until stopped); how long a silent worker counts as alive (its taken requests then go back
# in the queue); and how many pages may wait for enrichment before crawlers pause.
VNNEWS_REDIS_URL = ""
VNNEWS_IDLE_EXIT = None
VNNEWS_WORKER_TTL = 30.0
VNNEWS_MAX_QUEUED_PAGES = 5000
# "known": skip stored articles (except the re-check window); "all": re-fetch every stored
# article of the portal (--recheck); "full": ignore what is stored (--full).
VNNEWS_FETCH_MODE = "known"
# Who runs the crawler: appended to the User-Agent so a portal's admin can reach the operator.
VNNEWS_CONTACT = os.environ.get("VNNEWS_CONTACT", "")

# --- politeness: these are public-service sites; crawl them gently --------------------------
USER_AGENT = (
    f"vnnews/{__version__} (open-source research crawler of Vietnamese news portals"
    + (f"; contact: {VNNEWS_CONTACT}" if VNNEWS_CONTACT else "")
    + ")"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
# An article page yields one item, a listing a few requests: Scrapy starts this many asyncio
# workers per response (default 100), which cost more than the items themselves.
CONCURRENT_ITEMS = 8
# Scrapy re-reads each callback's source (inspect + ast) on every response to warn about a
# `return` in a generator; its cache misses bound methods. Our callbacks are tested instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.retry.BackoffRetryMiddleware": 550,
}
# A cron run must end before the next one starts: stop after six hours at most.
CLOSESPIDER_TIMEOUT = 6 * 3600
# Never open a port nobody asked for.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- stages ----------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.adapters.ParsePipeline": 300,
    "pipelines.adapters.EnrichPipeline": 500,
    "pipelines.adapters.StorePipeline": 900,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
