"""Publishing a 600-word story on SQLite — its version, feed event and audit row in one
transaction — against raw sqlite3 inserts of the same rows, in the same run.

Each publication is its own transaction, as in the newsroom. The baseline inserts the same
three rows (and updates the item) with the standard library's sqlite3 on a copy of the same
database, also one transaction each. Target: at least 300 publications/s.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench._agency import draft, make_agency
from bench._common import median, wait_for_quiet, write_result
from newswire.stories import services as stories

COUNT = 400
ROUNDS = 3


def publish_with_newswire(path: Path, story_ids: list[int]) -> float:
    from newswire.agency.services import principal_for_user
    from newswire.db import Database
    from newswire.models import User
    from newswire.stories.services import StoryContext

    database = Database(f"sqlite:///{path}")
    ctx = StoryContext.from_settings(None, "http://127.0.0.1:8000")
    with database.read() as session:
        user = session.query(User).filter_by(name="editor").one()
        editor = principal_for_user(user)
    began = time.perf_counter()
    for story_id in story_ids:
        with database.write() as session:
            stories.publish(session, editor, ctx, story_id, "en")
    elapsed = time.perf_counter() - began
    database.dispose()
    return len(story_ids) / elapsed


def publish_with_sqlite3(path: Path, story_ids: list[int], document: dict[str, object]) -> float:
    """The same rows, written by hand: the floor under any ORM."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    item_ids = [
        connection.execute(
            "SELECT id FROM items WHERE story_id = ? AND language = 'en'", (story_id,)
        ).fetchone()[0]
        for story_id in story_ids
    ]
    began = time.perf_counter()
    for story_id, item_id in zip(story_ids, item_ids, strict=True):
        now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
        body = json.dumps({**document, "uri": f"urn:x:{item_id}"}, ensure_ascii=False)
        connection.execute("BEGIN IMMEDIATE")
        cursor = connection.execute(
            "INSERT INTO versions (item_id, number, pubstatus, document, created_at, released_at)"
            " VALUES (?, 1, 'usable', ?, ?, ?)",
            (item_id, body, now, now),
        )
        version_id = cursor.lastrowid
        connection.execute(
            "UPDATE items SET current_version = 1, status = 'published', published_at = ?,"
            " revision = revision + 1 WHERE id = ?",
            (now, item_id),
        )
        connection.execute(
            "INSERT INTO feed_events (kind, version_id, item_id, story_id, uri, version,"
            " language, subjects, desk_id, urgency, created_at)"
            " VALUES ('published', ?, ?, ?, ?, 1, 'en', '[]', 1, 4, ?)",
            (version_id, item_id, story_id, f"urn:x:{item_id}", now),
        )
        connection.execute(
            "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail)"
            " VALUES (?, 'editor', 'item.published', 'story', ?, '{}')",
            (now, story_id),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - began
    connection.close()
    return len(story_ids) / elapsed


def main() -> None:
    ours: list[float] = []
    raw: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.db"
        bench = make_agency(template)
        story_ids = [draft(bench, n, 600) for n in range(COUNT)]
        # one real publication gives the baseline a document of the right size
        with bench.database.write() as session:
            sample = stories.publish(session, bench.editor, bench.ctx, story_ids[0], "en")
            document = dict(sample.document)
        bench.database.dispose()
        story_ids = story_ids[1:]
        busy = wait_for_quiet()
        for round_ in range(ROUNDS):
            for name, measure in (("newswire", ours), ("sqlite3", raw)):
                copy = Path(folder) / f"{name}-{round_}.db"
                shutil.copy(template, copy)
                if name == "newswire":
                    measure.append(publish_with_newswire(copy, story_ids))
                else:
                    measure.append(publish_with_sqlite3(copy, story_ids, document))
    words = len(re.sub(r"<[^>]+>", " ", str(document.get("body_html", ""))).split())
    ratio = median(ours) / median(raw)
    result = {
        "figure": "newswire publications/s on SQLite ÷ raw sqlite3 inserts of the same rows/s",
        "ratio": round(ratio, 3),
        "newswire_per_second": [round(v) for v in ours],
        "sqlite3_per_second": [round(v) for v in raw],
        "target": "newswire >= 300/s",
        "publications_per_round": len(story_ids),
        "body_words": words,
        "document_bytes": len(json.dumps(document, ensure_ascii=False)),
        "background_cpu_before": round(busy, 3),
    }
    path = write_result("publish", result)
    print(
        f"publish: {median(ours):,.0f}/s with newswire, {median(raw):,.0f}/s raw sqlite3 "
        f"(ratio {ratio:.2f}; {words}-word stories) → {path}"
    )


if __name__ == "__main__":
    main()
