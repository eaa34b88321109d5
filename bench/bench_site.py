"""The public website: cached pages against nginx serving the same bytes, and uncached renders.

Target (the issue): requests/s for `/en/rss.xml` and for a story page, cached, 64 concurrent
connections, at least 0.25 of nginx (the Debian package, 2 workers, started here) serving a
saved copy of the same bytes on loopback in the same run; an uncached story page render under
30 ms at p99.

- Cached: `newswire demo` in a temporary folder, `newswire serve` (one process, as a user runs
  it), each page fetched once to fill the page cache and saved; nginx serves the saved files at
  the same paths. `wrk -t2 -c64 --latency`, ROUNDS interleaved rounds per target, medians.
- Uncached, in process: every story page in every language built by `pages.story_page` in its
  own read session, as a cache miss in `newswire.site.views._serve` does (without the thread
  hop); templates compiled and the agency loaded beforehand, as in a running server.
- Uncached, over HTTP: one connection to a fresh `newswire serve` (an empty cache) asking once
  for every story page, in several fresh processes: each request is a miss that builds the
  page (FastAPI's route, the thread hop and the build), as a reader's first visit sees it.

    python -m bench.bench_site [--seconds 10] [--rounds 3] [--renders 2000] [--http-misses 800]
                               [--quiet-timeout 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bench._common import (
    NEWSWIRE,
    free_port,
    median,
    nginx_command,
    percentile,
    server,
    wait_for_quiet,
    write_result,
    wrk_stats,
)
from newswire.config import Settings
from newswire.db import Database
from newswire.site import pages
from newswire.site.cache import Page
from newswire.site.models import PublicEntry
from newswire.site.render import Renderer
from newswire.stories.services import StoryContext

VOCABULARIES = Path("/work/shared/standards/vocabularies")
RSS = "/en/rss.xml"
TARGET_RATIO = 0.25
TARGET_P99_MS = 30.0


def _story_paths(base: str) -> tuple[list[str], list[str]]:
    """Story pages from the English sitemap (paths, without the public URL): the English ones,
    and every language version (the sitemap's alternate links)."""
    sitemap = httpx.get(f"{base}/sitemap-en.xml").text
    english = [part.split("</loc>", 1)[0] for part in sitemap.split("<loc>")[1:]]
    every = [part.split('"', 1)[0] for part in sitemap.split(' href="')[1:]]
    return (
        ["/" + url.split("/", 3)[3] for url in english],
        ["/" + url.split("/", 3)[3] for url in dict.fromkeys(every)],
    )


def _fetch(url: str) -> httpx.Response:
    response = httpx.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
        "count": len(values),
    }


def render_in_process(
    database_url: str, vocabulary_dir: Path | None, renders: int
) -> dict[str, Any]:
    """Milliseconds to build each story page (every language) from the database, each in its
    own read session: what a page-cache miss costs, without HTTP and the thread hop."""
    settings = Settings(database_url=database_url, vocabulary_dir=vocabulary_dir)
    database = Database(settings.database_url)
    story_ctx = StoryContext.from_settings(settings.vocabulary_dir, settings.public_url)
    with database.read() as session:
        agency = story_ctx.agency(session)
        targets = list(
            session.execute(
                select(PublicEntry.language, PublicEntry.story_id, PublicEntry.path).order_by(
                    PublicEntry.story_id, PublicEntry.language
                )
            )
        )
    ctx = pages.SiteContext(
        renderer=Renderer(),
        vocabulary=story_ctx.vocabulary,
        public_url=settings.public_url.rstrip("/"),
        default_language=settings.site_language,
        full_text_feeds=settings.feed_full_text,
        feed_size=settings.feed_size,
        agency=agency,
    )
    targets = [t for t in targets if t.language in ctx.languages]

    def build(language: str, story_id: int, path: str) -> Page:
        with database.read() as session:
            page = pages.story_page(session, ctx, language, story_id, path)
        if not isinstance(page, Page) or page.status != 200:
            raise RuntimeError(f"{path} built {page!r}")
        return page

    for target in targets:  # compile the templates, warm babel's locale data
        build(*target)
    timings: list[float] = []
    by_language: dict[str, list[float]] = {}
    sizes: list[float] = []
    for n in range(renders):
        target = targets[n % len(targets)]
        started = time.perf_counter()
        page = build(*target)
        took = (time.perf_counter() - started) * 1000
        timings.append(took)
        by_language.setdefault(target.language, []).append(took)
        sizes.append(len(page.body))
    database.dispose()
    return {
        "pages": len(targets),
        "languages": sorted({t.language for t in targets}),
        "body_bytes_median": round(median(sizes)),
        "ms": _summary(timings),
        "ms_by_language": {
            language: {"p50": round(percentile(v, 50), 3), "p99": round(percentile(v, 99), 3)}
            for language, v in sorted(by_language.items())
        },
    }


def render_over_http(env: dict[str, str], paths: list[str], count: int) -> dict[str, Any]:
    """Milliseconds per page-cache miss over HTTP, one connection: fresh `newswire serve`
    processes (empty caches), each asked once for every story page, until `count` misses.
    Each process's first story page compiles the templates and is left out."""
    timings: list[float] = []
    processes = 0
    while len(timings) < count:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        command = [str(NEWSWIRE), "serve", "--no-worker", "--port", str(port)]
        with server(command, f"{base}/healthz", env), httpx.Client(base_url=base) as client:
            processes += 1
            for n, path in enumerate(paths):
                started = time.perf_counter()
                response = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                if n > 0:
                    timings.append(elapsed)
                if len(timings) == count:
                    break
    return {"method": f"first visits in {processes} fresh servers", "ms": _summary(timings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per target")
    parser.add_argument("--renders", type=int, default=2000, help="in-process uncached renders")
    parser.add_argument("--http-misses", type=int, default=800, help="uncached HTTP requests")
    parser.add_argument(
        "--quiet-timeout",
        type=float,
        default=300,
        help="longest wait for background CPU under 5%% before each measurement (seconds)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database_url = f"sqlite:///{folder / 'newswire.db'}"
        vocabulary_dir = VOCABULARIES if VOCABULARIES.is_dir() else None
        env = {"NEWSWIRE_DATABASE_URL": database_url}
        if vocabulary_dir is not None:
            env["NEWSWIRE_VOCABULARY_DIR"] = str(vocabulary_dir)
        demo = [str(NEWSWIRE), "demo", "--json"]
        subprocess.run(demo, env={**os.environ, **env}, check=True, capture_output=True)

        port, nginx_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        with server([str(NEWSWIRE), "serve", "--port", str(port)], f"{base}/healthz", env):
            english, story_paths = _story_paths(base)
            story = english[0]
            saved: dict[str, tuple[Path, str]] = {}
            served: dict[str, httpx.Response] = {}
            for label, path in (("rss", RSS), ("story", story)):
                response = _fetch(base + path)  # fills the page cache
                file = folder / f"{label}.body"
                file.write_bytes(response.content)
                saved[path] = (file, response.headers["content-type"])
                served[path] = response
            nginx_base = f"http://127.0.0.1:{nginx_port}"
            nginx = nginx_command(folder, saved, nginx_port)
            with server(nginx, f"{nginx_base}{RSS}"):
                sizes: dict[str, int] = {}
                for path, first in served.items():
                    ours, theirs = _fetch(base + path), _fetch(nginx_base + path)
                    if ours.headers["etag"] != first.headers["etag"]:
                        raise RuntimeError(f"{path}: the cached page changed (ETag)")
                    if ours.content != theirs.content:
                        raise RuntimeError(f"{path}: newswire and nginx serve different bytes")
                    if ours.headers["content-type"] != theirs.headers["content-type"]:
                        raise RuntimeError(f"{path}: content types differ")
                    if int(ours.headers["content-length"]) != len(theirs.content):
                        raise RuntimeError(f"{path}: content lengths differ")
                    sizes[path] = len(ours.content)

                busy: list[float] = []
                runs: dict[str, dict[str, list[dict[str, Any]]]] = {
                    path: {"newswire": [], "nginx": []} for path in served
                }
                for _ in range(args.rounds):  # each round starts on a quiet machine
                    busy.append(wait_for_quiet(timeout=args.quiet_timeout))
                    for path in served:
                        runs[path]["newswire"].append(wrk_stats(base + path, None, args.seconds))
                        runs[path]["nginx"].append(wrk_stats(nginx_base + path, None, args.seconds))
                for path in served:  # still the same page: no publication cleared the cache
                    if _fetch(base + path).headers["etag"] != served[path].headers["etag"]:
                        raise RuntimeError(f"{path}: the cached page changed during the run")

        busy_http = wait_for_quiet(timeout=args.quiet_timeout)
        http_misses = render_over_http(env, story_paths, args.http_misses)

        busy_render = wait_for_quiet(timeout=args.quiet_timeout)
        in_process = render_in_process(database_url, vocabulary_dir, args.renders)

    cached: dict[str, Any] = {}
    for path, targets in runs.items():
        newswire_rps = [r["rps"] for r in targets["newswire"]]
        nginx_rps = [r["rps"] for r in targets["nginx"]]
        cached[path] = {
            "body_bytes": sizes[path],
            "ratio": round(median(newswire_rps) / median(nginx_rps), 3),
            "newswire_rps": [round(v) for v in newswire_rps],
            "nginx_rps": [round(v) for v in nginx_rps],
            "newswire_latency_ms": _median_latency(targets["newswire"]),
            "nginx_latency_ms": _median_latency(targets["nginx"]),
        }
    worst = min(c["ratio"] for c in cached.values())
    result = {
        "figure": "newswire req/s ÷ nginx req/s for the same cached bytes; uncached render p99",
        "targets": {"ratio": f">= {TARGET_RATIO}", "uncached_story_p99_ms": f"< {TARGET_P99_MS}"},
        "ratio": worst,
        "ratio_met": worst >= TARGET_RATIO,
        "cached": cached,
        "uncached_story_in_process": in_process,
        "uncached_story_http": http_misses,
        "uncached_p99_met": in_process["ms"]["p99"] < TARGET_P99_MS,
        "story_path": story,
        "background_cpu_before": {
            "wrk_rounds": [round(b, 3) for b in busy],
            "http_misses": round(busy_http, 3),
            "in_process": round(busy_render, 3),
        },
        "tool": (
            f"wrk -t2 -c64 -d{args.seconds}s --latency, {args.rounds} interleaved rounds per "
            "target, medians; newswire serve (1 process, uvloop, httptools) vs nginx "
            f"{_nginx_version()} (2 workers, sendfile, access log off); "
            f"{args.renders} in-process story_page builds; {args.http_misses} HTTP misses"
        ),
    }
    written = write_result("site", result)
    _print(result)
    print(f"→ {written}")


def _median_latency(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = runs[0]["latency_ms"].keys()
    return {k: round(median([r["latency_ms"][k] for r in runs]), 3) for k in keys}


def _nginx_version() -> str:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    output = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr
    return output.strip().rsplit("/", 1)[-1]


def _print(result: dict[str, Any]) -> None:
    header = ("page", "bytes", "newswire r/s", "nginx r/s", "ratio", "p50 ms", "p99 ms",
              "nginx p50", "nginx p99")  # fmt: skip
    print("{:<34} {:>6} {:>12} {:>10} {:>6} {:>7} {:>7} {:>9} {:>9}".format(*header))
    for path, c in result["cached"].items():
        ours, theirs = c["newswire_latency_ms"], c["nginx_latency_ms"]
        print(
            f"{path:<34} {c['body_bytes']:>6} {median(c['newswire_rps']):>12,.0f} "
            f"{median(c['nginx_rps']):>10,.0f} {c['ratio']:>6.3f} {ours['p50']:>7.2f} "
            f"{ours['p99']:>7.2f} {theirs['p50']:>9.2f} {theirs['p99']:>9.2f}"
        )
    met = "met" if result["ratio_met"] else "NOT met"
    print(f"cached: worst ratio {result['ratio']:.3f} to nginx (target >= {TARGET_RATIO}: {met})")
    local, http = result["uncached_story_in_process"]["ms"], result["uncached_story_http"]["ms"]
    met = "met" if result["uncached_p99_met"] else "NOT met"
    print(
        f"uncached story page, in process ({local['count']} builds of "
        f"{result['uncached_story_in_process']['pages']} pages): p50 {local['p50']:.2f} ms, "
        f"p95 {local['p95']:.2f} ms, p99 {local['p99']:.2f} ms (target < {TARGET_P99_MS:.0f}: "
        f"{met})"
    )
    print(
        f"uncached story page, over HTTP ({http['count']} misses, 1 connection): "
        f"p50 {http['p50']:.2f} ms, p95 {http['p95']:.2f} ms, p99 {http['p99']:.2f} ms"
    )


if __name__ == "__main__":
    main()
