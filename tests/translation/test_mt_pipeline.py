"""The real CTranslate2 path end to end: a tiny model built here, installed with the CLI, the
French sample story published, machine drafts on the tasks of that pair by themselves."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_french_sample import SAMPLE, ninjs_document, read_sample
from tests.cli.test_cli import cli
from tests.conftest import Newsroom
from tests.translation import tinymodel

pytestmark = pytest.mark.skipif(
    not SAMPLE.is_file(), reason=f"the French sample is not at {SAMPLE}"
)


def _wait_for_drafts(
    client: TestClient, newsroom: Newsroom, story_id: int, language: str
) -> dict[str, Any]:
    """The task of `language` once its machine draft is no longer queued (the embedded
    worker makes it; a few seconds at most)."""
    deadline = time.monotonic() + 30
    while True:
        tasks = client.get(
            "/api/v1/tasks", params={"story": story_id}, headers=newsroom.headers("chief")
        ).json()["tasks"]
        task = next(t for t in tasks if t["language"] == language)
        if task["machine_draft"]["state"] not in ("queued", "running"):
            answer = client.get(f"/api/v1/tasks/{task['id']}", headers=newsroom.headers("chief"))
            return dict(answer.json())
        assert time.monotonic() < deadline, f"no draft after 30 s: {task}"
        time.sleep(0.1)


def test_a_published_french_story_gets_machine_drafts_from_an_installed_model(
    client: TestClient, newsroom: Newsroom, database_url: str, tmp_path: Path
) -> None:
    model = tinymodel.build(tmp_path / "opus-mt-fr-en", seed=3)
    installed = cli(
        database_url, tmp_path, "mt", "install", str(model), "--source", "fr", "--target", "en"
    )
    assert installed.code == 0, installed.stderr

    sample = read_sample()
    document = ninjs_document("fr", sample.headline, sample.paragraphs)
    created = client.post(
        "/api/v1/stories?bureau=baku", json=document, headers=newsroom.headers("reporter")
    )
    assert created.status_code == 201, created.text
    story_id = created.json()["story_id"]
    published = client.post(
        f"/api/v1/stories/{story_id}/items/fr/publish", headers=newsroom.headers("editor")
    )
    assert published.status_code == 200, published.text

    task = _wait_for_drafts(client, newsroom, story_id, "en")
    draft = task["machine_draft"]
    assert draft["state"] == "ready", draft
    assert draft["error"] is None
    assert draft["engine"].startswith("ctranslate2:")
    made = draft["draft"]
    assert made["source_language"] == "fr"
    assert made["target_language"] == "en"
    assert made["headline"].strip()
    body = [s for s in made["segments"] if s["field"] == "body"]
    # one draft segment per sentence of the sample, each made by the model
    assert len({s["block"] for s in body}) == len(sample.paragraphs)
    assert all(s["origin"] == "machine" and s["target"].strip() for s in body)
    assert made["body_html"].count("<p>") == len(sample.paragraphs)

    # the draft became the English working copy, which the translator now edits
    view = client.get(f"/api/v1/stories/{story_id}", headers=newsroom.headers("editor")).json()
    english = view["items"]["en"]
    assert english["status"] == "draft"
    assert english["headline"] == made["headline"]
    assert english["translation_task"]["machine_draft"]["state"] == "ready"

    # pairs no engine serves are left to translators, with nothing pretended
    others = client.get(
        "/api/v1/tasks", params={"story": story_id}, headers=newsroom.headers("chief")
    ).json()["tasks"]
    states = {t["language"]: t["machine_draft"]["state"] for t in others}
    assert states == {"az": "none", "ru": "none", "en": "ready", "de": "none", "es": "none",
                      "ar": "none", "zh": "none"}  # fmt: skip


def test_a_pair_without_a_direct_model_pivots_through_english(
    client: TestClient, newsroom: Newsroom, database_url: str, tmp_path: Path
) -> None:
    for source, target, seed in (("fr", "en", 4), ("en", "de", 5)):
        model = tinymodel.build(tmp_path / f"opus-mt-{source}-{target}", seed=seed)
        run = cli(
            database_url, tmp_path, "mt", "install", str(model),
            "--source", source, "--target", target,
        )  # fmt: skip
        assert run.code == 0, run.stderr
    document = ninjs_document("fr", "Le forum s'ouvre à Bakou", ["Le forum s'ouvre demain."])
    story_id = client.post(
        "/api/v1/stories?bureau=baku", json=document, headers=newsroom.headers("reporter")
    ).json()["story_id"]
    client.post(f"/api/v1/stories/{story_id}/items/fr/publish", headers=newsroom.headers("editor"))
    german = _wait_for_drafts(client, newsroom, story_id, "de")["machine_draft"]
    assert german["state"] == "ready", german
    assert german["engine"].count("ctranslate2:") == 2  # fr→en, then en→de
