"""`newswire mt install | list | remove`, run as a user runs them, on tiny real models."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from newswire.agency.models import AuditEntry
from newswire.config import Settings
from newswire.db import Database
from newswire.translation.engines import build_registry, translate_html
from newswire.translation.models import MTModel
from tests.cli.test_cli import cli
from tests.translation import tinymodel


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    return {
        "marian": tinymodel.build(folder / "opus-mt-fr-en", seed=1),
        "argos": tinymodel.build(folder / "argos-en-de", seed=2, argos=("en", "de")),
    }


def test_install_list_and_remove(
    database_url: str, tmp_path: Path, models: dict[str, Path]
) -> None:
    assert cli(database_url, tmp_path, "init").code == 0
    installed = cli(
        database_url, tmp_path, "mt", "install", str(models["marian"]),
        "--source", "fr", "--target", "en", "--json",
    ).json()  # fmt: skip
    assert installed["path"] == str(models["marian"])
    assert installed["family"] == "marian"  # detected from source.spm / target.spm
    assert (installed["source"], installed["target"], installed["active"]) == ("fr", "en", True)
    assert installed["test_translation"].strip()

    human = cli(
        database_url, tmp_path, "mt", "install", str(models["argos"]),
        "--source", "en", "--target", "de",
    )  # fmt: skip
    assert human.code == 0, human.stderr
    assert human.stdout.startswith(f"model #{installed['id'] + 1} registered: en → de, argos, ")

    listed = cli(database_url, tmp_path, "mt", "list", "--json").json()["models"]
    assert [(m["family"], m["source"], m["target"]) for m in listed] == [
        ("marian", "fr", "en"),
        ("argos", "en", "de"),
    ]

    # the rows are what the registry is built from: fr → de pivots through both models
    database = Database(database_url)
    try:
        with database.read() as session:
            rows = list(session.scalars(select(MTModel)))
            actors = {
                (entry.actor, entry.action)
                for entry in session.scalars(
                    select(AuditEntry).where(AuditEntry.object_type == "mt_model")
                )
            }
    finally:
        database.dispose()
    assert actors == {("cli", "mt_model.install")}
    route = build_registry(Settings(), rows).route("fr", "de")
    assert route is not None
    assert [(hop[1], hop[2]) for hop in route.hops] == [("fr", "en"), ("en", "de")]
    [draft] = asyncio.run(translate_html(route, ["Le <b>président</b> a parlé."]))
    assert draft.count("<b>") == 1
    assert draft.count("</b>") == 1

    again = cli(
        database_url, tmp_path, "mt", "install", str(models["marian"]),
        "--source", "fr", "--target", "en",
    )  # fmt: skip
    assert again.error == (
        f"newswire: error: {models['marian']} is already registered for fr → en "
        f"as #{installed['id']}"
    )

    removed = cli(database_url, tmp_path, "mt", "remove", str(installed["id"]), "--json").json()
    assert removed["path"] == str(models["marian"])
    listed = cli(database_url, tmp_path, "mt", "list").stdout
    assert str(models["marian"]) not in listed
    assert str(models["argos"]) in listed
    gone = cli(database_url, tmp_path, "mt", "remove", str(installed["id"]))
    assert gone.error == f"newswire: error: no local model #{installed['id']} (id)"


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite database for the failing commands, which change nothing in it."""
    folder = tmp_path_factory.mktemp("initialised")
    url = f"sqlite:///{folder / 'newswire.db'}"
    assert cli(url, folder, "init").code == 0
    return url


def test_missing_directory(initialised: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    run = cli(
        initialised, tmp_path, "mt", "install", str(missing), "--source", "fr", "--target", "en"
    )
    assert run.error == f"newswire: error: {missing} does not exist (path)"


def test_not_a_model(initialised: str, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    run = cli(
        initialised, tmp_path, "mt", "install", str(folder), "--source", "fr", "--target", "en"
    )
    assert run.error == (
        f"newswire: error: {folder} is not a CTranslate2 model: no model.bin (path)"
    )


def test_a_model_without_a_tokenizer(
    initialised: str, tmp_path: Path, models: dict[str, Path]
) -> None:
    folder = tmp_path / "bare"
    folder.mkdir()
    for name in ("model.bin", "config.json", "shared_vocabulary.json"):
        (folder / name).write_bytes((models["marian"] / name).read_bytes())
    run = cli(
        initialised, tmp_path, "mt", "install", str(folder), "--source", "fr", "--target", "en"
    )
    assert run.error.startswith(f"newswire: error: {folder} has no SentencePiece model")


def test_unknown_or_not_working_language(
    initialised: str, tmp_path: Path, models: dict[str, Path]
) -> None:
    path = str(models["marian"])
    unknown = cli(initialised, tmp_path, "mt", "install", path, "--source", "fr", "--target", "xx")
    assert unknown.error == (
        "newswire: error: 'xx' is not a working language of the agency "
        "(az, ru, en, fr, de, es, ar, zh) (target)"
    )
    same = cli(initialised, tmp_path, "mt", "install", path, "--source", "fr", "--target", "fr")
    assert same.error == "newswire: error: source and target are the same language (target)"


def test_family_checks(initialised: str, tmp_path: Path, models: dict[str, Path]) -> None:
    argos = str(models["argos"])
    wrong_pair = cli(
        initialised, tmp_path, "mt", "install", argos, "--source", "fr", "--target", "de"
    )
    assert wrong_pair.error == (
        "newswire: error: this Argos package translates en → de, not fr → de (source)"
    )
    not_argos = cli(
        initialised, tmp_path, "mt", "install", str(models["marian"]),
        "--source", "fr", "--target", "en", "--family", "argos",
    )  # fmt: skip
    assert not_argos.error.endswith("is not an Argos package (no metadata.json) (family)")
    bad = cli(
        initialised, tmp_path, "mt", "install", str(models["marian"]),
        "--source", "fr", "--target", "en", "--family", "t5",
    )  # fmt: skip
    assert bad.error == (
        "newswire: error: unknown family 't5' (auto, marian, nllb, m2m100, argos) (family)"
    )
    assert cli(initialised, tmp_path, "mt", "list", "--json").json() == {"models": []}
