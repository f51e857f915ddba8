"""The `vnnews` command line."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from pipelines.errors import ParseError, VnnewsError
from pipelines.parse import choose_layout, parse_article
from schemas.profile import Profile
from scraper import __version__
from scraper.profiles import PROFILES_ENV, all_profiles, get_profile, profile_for_url, user_profiles

F = TypeVar("F", bound=Callable[..., Any])


def db_option(default: str = "vnnews.db") -> Callable[[F], F]:
    """`--db PATH`: the SQLite file; `VNNEWS_DB` overrides the default."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        envvar="VNNEWS_DB",
        default=default,
        show_default=True,
        help="SQLite database file (env: VNNEWS_DB).",
    )


def profiles_option(function: F) -> F:
    """`--profiles DIR`: the user's own site profiles (VNNEWS_PROFILES_DIR)."""

    def use(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value:
            os.environ[PROFILES_ENV] = value  # read by the spider loader, in this process
        problems = user_profiles()[1]
        if problems:
            raise ConfigError("site profiles not loaded:\n  " + "\n  ".join(problems))
        return value

    return click.option(
        "--profiles",
        type=click.Path(file_okay=False),
        envvar=PROFILES_ENV,
        expose_value=False,
        is_eager=True,
        callback=use,
        help="Directory of your own site profiles (*.toml).",
    )(function)


def enrich_option(function: F) -> F:
    """`--no-enrich`: skip people, provinces, organisations and figures (faster)."""
    return click.option(
        "--enrich/--no-enrich",
        default=True,
        show_default=True,
        help="Find people, provinces, organisations and figures (VNNEWS_ENRICH).",
    )(function)


def idle_option(function: F) -> F:
    """`--idle-exit SECONDS`: a worker of a distributed crawl (crawl --redis, enrich-worker,
    ingest) exits 0 once its queue has been empty this long."""
    return click.option(
        "--idle-exit",
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        help="With Redis: exit 0 once the queue has been empty this long "
        "(default: run until stopped).",
    )(function)


def check_redis(url: str) -> None:
    """Fail in seconds, with one line and exit 1, if `url` is no reachable Redis."""
    from scraper.queues import connect

    try:
        connect(url).close()
    except VnnewsError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnnews")
def cli() -> None:
    """Crawl Vietnamese state and Party news portals into one SQLite file."""


@cli.command()
@click.argument("site")
@db_option()
@click.option(
    "--base-url", help="Fetch from this origin instead (a mirror); URLs stay the portal's."
)
@click.option("--url", "single_url", help="Crawl this one article URL only.")
@click.option("--max-pages", type=click.IntRange(min=0), help="Listing pages per section (0: all).")
@click.option("--max-articles", type=click.IntRange(min=0), help="Stop after this many articles.")
@click.option(
    "--start",
    "starts",
    multiple=True,
    metavar="URL",
    help="generic: a listing URL to start from (repeatable).",
)
@click.option(
    "--article-pattern",
    metavar="REGEX",
    help="generic: links whose URL matches this regex are articles.",
)
@profiles_option
@click.option(
    "--recheck",
    is_flag=True,
    help="Fetch every stored article of the portal again (from the database).",
)
@click.option("--full", is_flag=True, help="Ignore what is stored: fetch everything found.")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only articles published on or after this date (YYYY-MM-DD).",
)
@enrich_option
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Be one crawler of a crawl spread over machines: share this Redis's queue and "
    "duplicate filter, and hand pages to it instead of the database (see `vnnews seed`).",
)
@idle_option
@click.option(
    "--log-level",
    default="INFO",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@click.option(
    "-s",
    "--set",
    "extra",
    multiple=True,
    metavar="NAME=VALUE",
    help="Any Scrapy or VNNEWS_ setting, as with `scrapy crawl -s`.",
)
def crawl(
    site: str,
    db_path: str,
    base_url: str | None,
    single_url: str | None,
    max_pages: int | None,
    max_articles: int | None,
    starts: tuple[str, ...],
    article_pattern: str | None,
    recheck: bool,
    full: bool,
    since: datetime | None,
    enrich: bool,
    redis_url: str | None,
    idle_exit: float | None,
    log_level: str,
    extra: tuple[str, ...],
) -> None:
    """Crawl SITE's listings (or one --url) into the database.

    \b
    Examples:
      vnnews crawl tuyengiao
      vnnews crawl tuyengiao --max-pages 2 --db tuyengiao.db
      vnnews crawl tuyengiao --url https://tuyengiao.vn/chu-trong-khen-thuong-lao-dong-truc-tiep-cac-tap-the-o-vung-sau-vung-bien-gioi-148318
      vnnews crawl nhandan --since 2024-01-01
      vnnews crawl mysite --profiles ~/vnnews-profiles
      vnnews crawl generic --start https://namdinh.dcs.vn/vi/news/tin-tuc-su-kien/ \\
          --article-pattern '/vi/news/[^/]+/.+-[0-9]+[.]html$'
      vnnews crawl tuyengiao --redis redis://queue.lan:6379/0   (one of many crawlers)
    """
    from scraper.runner import crawl_settings, run_crawl

    spider_args: dict[str, str] = {}
    if site == "generic":
        if not starts or not article_pattern:
            raise click.UsageError("crawl generic needs --start URL and --article-pattern REGEX")
        spider_args = {"start": ",".join(starts), "article_pattern": article_pattern}
    else:
        _known_site(site)
    if redis_url:
        _crawl_shared(site, redis_url, idle_exit, log_level, extra, base_url, max_pages)
        return
    if idle_exit is not None:
        raise click.UsageError("--idle-exit goes with --redis")
    _usable_db(db_path)
    overrides: dict[str, Any] = {
        "VNNEWS_DB": db_path,
        "LOG_LEVEL": log_level.upper(),
        "VNNEWS_ENRICH": enrich,
        **_crawl_overrides(extra, base_url, max_pages),
    }
    if max_articles is not None:
        overrides["VNNEWS_MAX_ARTICLES"] = max_articles
    if since is not None:
        overrides["VNNEWS_SINCE"] = since.date().isoformat()
    if recheck or full:
        overrides["VNNEWS_FETCH_MODE"] = "all" if recheck else "full"
    with _writer_lock(db_path, site):
        result = run_crawl(site, crawl_settings(overrides), url=single_url, **spider_args)
    stats = result.stats
    click.echo(
        f"{site}: {stats.get('vnnews/articles/new', 0)} new, "
        f"{stats.get('vnnews/articles/updated', 0)} updated, "
        f"{stats.get('vnnews/articles/unchanged', 0)} unchanged, "
        f"{stats.get('vnnews/failures', 0)} failures; finished: {result.finish_reason} → {db_path}",
        err=True,
    )
    if result.problem:
        click.echo(f"vnnews crawl {site}: {result.problem}", err=True)
    _record_exit(db_path, result)
    sys.exit(0 if result.ok else 1)


def _crawl_overrides(
    extra: tuple[str, ...], base_url: str | None, max_pages: int | None
) -> dict[str, Any]:
    """The settings every crawl takes from its command line: -s pairs, --base-url, --max-pages."""
    overrides: dict[str, Any] = {}
    if base_url:
        overrides["VNNEWS_BASE_URL"] = base_url
    if max_pages is not None:
        overrides["VNNEWS_MAX_PAGES"] = max_pages
    for pair in extra:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="-s")
        overrides[name] = value
    return overrides


def _crawl_shared(
    site: str,
    redis_url: str,
    idle_exit: float | None,
    log_level: str,
    extra: tuple[str, ...],
    base_url: str | None,
    max_pages: int | None,
) -> None:
    """`crawl --redis`: a crawler worker. No database here: `vnnews ingest` writes it."""
    from scraper.frontier import redis_settings
    from scraper.runner import crawl_settings, run_crawl

    if site == "generic":
        raise click.UsageError("crawl generic cannot be shared (--redis): it has no profile")
    check_redis(redis_url)
    overrides = {
        **redis_settings(redis_url),
        "LOG_LEVEL": log_level.upper(),
        "VNNEWS_IDLE_EXIT": idle_exit,
        **_crawl_overrides(extra, base_url, max_pages),
    }
    result = run_crawl(site, crawl_settings(overrides))
    stats = result.stats
    click.echo(
        f"{site}: {stats.get('vnnews/handed_off/pages', 0)} pages and "
        f"{stats.get('vnnews/handed_off/failures', 0)} failures handed to {redis_url}; "
        f"finished: {result.finish_reason}",
        err=True,
    )
    if result.problem:
        click.echo(f"vnnews crawl {site}: {result.problem}", err=True)
    sys.exit(0 if result.ok else 1)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The page's URL (default: its canonical link or og:url).")
@click.option(
    "--site",
    help="The portal (default: recognised from the URL, then the markup; "
    "pages of unknown portals are read by the generic extractor).",
)
@enrich_option
@profiles_option
def extract(files: tuple[str, ...], url: str | None, site: str | None, enrich: bool) -> None:
    """Parse saved pages exactly as the crawler does; print one JSON object per page.

    \b
    Examples:
      vnnews extract page.html
      vnnews extract saved/*.html --site tuyengiao
    """
    from scraper.pageinfo import page_url, read_html

    if site:
        _known_site(site)
    failed = 0
    for file in files:
        record: dict[str, Any] = {"file": file}
        try:
            html = read_html(Path(file))
            page = url or page_url(html)
            if not page:
                raise ParseError("no URL: the page has no canonical link or og:url; pass --url")
            profile = get_profile(site) if site else _recognise(html, page)
            if profile is None:  # no profile knows this portal: read it by content
                from pipelines.generic import extract_generic

                article = extract_generic(html, page)
            else:
                article = parse_article(html, page, profile)
            record |= article.to_record()
            if enrich:
                from pipelines.enrich import enrich_article

                record |= enrich_article(article).to_record()
        except (VnnewsError, OSError, UnicodeDecodeError) as exc:
            failed += 1
            record |= {"url": url, "error": str(exc)}
        click.echo(json.dumps(record, ensure_ascii=False))
    sys.exit(1 if failed else 0)


@cli.command()
@db_option(default="vnnews-demo.db")
@enrich_option
def demo(db_path: str, enrich: bool) -> None:
    """Crawl the bundled offline snapshot of tuyengiao.vn and summarise the result.

    \b
    Example:
      vnnews demo --db /tmp/demo.db
    """
    from pipelines.store import open_db
    from scraper.mirror import Mirror
    from scraper.runner import crawl_settings, run_crawl
    from scraper.snapshot import snapshot_dir
    from scraper.summary import summarize

    _usable_db(db_path)
    with _writer_lock(db_path, "tuyengiao"), Mirror(snapshot_dir("tuyengiao")) as mirror:
        click.echo(f"Serving the bundled tuyengiao.vn snapshot at {mirror.url}", err=True)
        settings = crawl_settings(
            {
                "VNNEWS_DB": db_path,
                "VNNEWS_BASE_URL": mirror.url,
                "LOG_LEVEL": "ERROR",
                "VNNEWS_ENRICH": enrich,
            }
        )
        result = run_crawl("tuyengiao", settings)
    db = open_db(db_path)
    click.echo(summarize(db, db_path))
    sys.exit(0 if result.ok else 1)


@cli.command()
@click.option("--site", default="tuyengiao", show_default=True, help="Whose snapshot to serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def mirror(site: str, host: str, port: int) -> None:
    """Serve a bundled snapshot over HTTP, to crawl it with `scrapy crawl` or `--base-url`.

    \b
    Example:
      vnnews mirror --port 8000 &
      scrapy crawl tuyengiao -s VNNEWS_BASE_URL=http://127.0.0.1:8000 -s VNNEWS_DB=mirror.db
    """
    from scraper.mirror import Mirror
    from scraper.snapshot import snapshot_dir

    try:
        server = Mirror(snapshot_dir(site), host, port).start()
    except (FileNotFoundError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Serving the {site} snapshot at {server.url} (Ctrl-C stops)", err=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        server.stop()


@cli.command()
@db_option()
@click.option("--site", help="Only this portal's pages (default: all).")
@enrich_option
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes for enrichment (0: one per CPU).",
)
def reprocess(db_path: str, site: str | None, enrich: bool, workers: int) -> None:
    """Parse and enrich the stored raw pages again, without fetching anything.

    Run it after upgrading vnnews or editing a site profile: articles are updated in place,
    their mentions and figures replaced.

    \b
    Examples:
      vnnews reprocess --db tuyengiao.db
      vnnews reprocess --db all.db --site tuyengiao --no-enrich
    """
    from pipelines.store import open_db
    from scraper.reprocess import latest_pages
    from scraper.reprocess import reprocess as run_reprocess

    if site:
        _known_site(site)
    _usable_db(db_path)
    db = open_db(db_path)
    total = len(latest_pages(db, site))
    with (
        _writer_lock(db_path, site or "reprocess"),
        click.progressbar(length=total, label="Reprocessing", file=sys.stderr) as bar,
    ):
        counts = run_reprocess(db, site, enrich, workers, bar.update)
    click.echo(
        f"{counts['vnnews/pages']} pages: {counts['vnnews/articles/new']} new, "
        f"{counts['vnnews/articles/updated']} updated, "
        f"{counts['vnnews/articles/unchanged']} unchanged articles, "
        f"{counts['vnnews/failures']} failures → {db_path}",
        err=True,
    )


@cli.command()
@profiles_option
def sites() -> None:
    """List the portals vnnews knows, with their layouts.

    \b
    Example:
      vnnews sites
    """
    user = user_profiles()[0]
    for profile in sorted(all_profiles().values(), key=lambda p: p.name):
        mark = " (your profile)" if profile.name in user else ""
        click.echo(f"{profile.name:<14} {profile.base_url:<28} {profile.title}{mark}")
        for layout in profile.layouts:
            click.echo(f"{'':<14}   layout {layout.name}: {layout.description}")


class ConfigError(click.ClickException):
    """A setting or path that cannot work; exit code 2, like a usage error."""

    exit_code = 2


def _usable_db(path: str) -> None:
    """Fail before crawling, with one line, if the database cannot be opened or is too new."""
    from pipelines.store import open_db

    try:
        open_db(path).close()
    except (sqlite3.Error, VnnewsError) as exc:
        raise ConfigError(f"cannot use database {path}: {exc}") from None


def _record_exit(db_path: str, result: Any) -> None:
    """Write the exit status into the run's row, for `vnnews runs` and for researchers."""
    from pipelines.store import open_db, record_exit

    run_id = result.stats.get("vnnews/run_id")
    if run_id:
        with open_db(db_path) as db:
            record_exit(db, int(run_id), 0 if result.ok else 1, result.problem)


@contextmanager
def _writer_lock(db_path: str, name: str) -> Iterator[None]:
    """One writer per database and portal; a second one exits 75 with one line."""
    from scraper.locks import EXIT_LOCKED, Locked, database_lock

    try:
        with database_lock(db_path, name):
            yield
    except Locked as exc:
        click.echo(f"vnnews: {exc}", err=True)
        sys.exit(EXIT_LOCKED)


def _known_site(site: str) -> None:
    try:
        get_profile(site)
    except VnnewsError as exc:
        raise click.BadParameter(str(exc), param_hint="SITE") from None


def _recognise(html: str, url: str) -> Profile | None:
    """The profile of the page's portal: by URL, then by markup; None if no profile fits."""
    profile = profile_for_url(url)
    if profile is not None:
        return profile
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for candidate in all_profiles().values():
        try:
            choose_layout(tree, candidate)
        except ParseError:
            continue
        return candidate
    return None


def main() -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    import scraper.distributed
    import scraper.explore  # noqa: F401  (registers search, entity, figures, export, serve)

    cli()
