"""`newswire mt ...`: local machine translation models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from newswire.agency.services import Principal, audit, get_agency
from newswire.cli.common import JsonOption, database, emit, one_line_errors, write_session
from newswire.errors import Conflict, InvalidInput, NotFound
from newswire.translation.engines import EngineError, codes
from newswire.translation.models import MTModel

app = typer.Typer(help="Local machine translation models.", no_args_is_help=True)

CLI = Principal(name="cli", role="system")
# The sentence a model must translate before it is registered: proof that it loads and runs.
# One sentence per working language that `mt install` translates to show the model runs.
PROBES = {
    "az": "Agentlik yeni büro açıb.",
    "ru": "Агентство открыло новое бюро.",
    "en": "The agency opened a new bureau.",
    "fr": "L'agence a ouvert un nouveau bureau.",
    "de": "Die Agentur hat ein neues Büro eröffnet.",
    "es": "La agencia abrió una nueva oficina.",
    "ar": "افتتحت الوكالة مكتبا جديدا.",
    "zh": "通讯社开设了一个新的分社。",
}


def _document(model: MTModel) -> dict[str, Any]:
    return {
        "id": model.id,
        "path": model.path,
        "family": model.family,
        "source": model.source_language,
        "target": model.target_language,
        "active": model.active,
        "created_at": model.created_at.isoformat() if model.created_at else None,
    }


def _check_model(path: Path, family: str, source: str, target: str) -> tuple[str, str]:
    """The family of the model at `path` and its translation of the probe sentence in the
    source language; InvalidInput if it is not a model we can run."""
    # CTranslate2 takes a while to import: only the command that needs it pays for it.
    from newswire.translation.engines.ctranslate2 import CTranslate2Engine, detect_family, layout

    try:
        found = layout(path)
    except EngineError as error:
        raise InvalidInput(str(error), field="path") from None
    if family == "auto":
        detected = detect_family(found)
        if detected is None:
            raise InvalidInput(
                f"cannot tell the family of {path}: pass --family ({', '.join(codes.FAMILIES)})",
                field="family",
            )
        family = detected
    if found.argos is not None:
        if family != "argos":
            raise InvalidInput(f"{path} is an Argos package: use --family argos", field="family")
        package = (found.argos.get("from_code"), found.argos.get("to_code"))
        if package != (source, target):
            raise InvalidInput(
                f"this Argos package translates {package[0]} → {package[1]}, "
                f"not {source} → {target}",
                field="source",
            )
    elif family == "argos":
        raise InvalidInput(f"{path} is not an Argos package (no metadata.json)", field="family")
    for language, field in ((source, "source"), (target, "target")):
        try:
            codes.family_code(family, language)
        except codes.UnmappedLanguage as error:
            raise InvalidInput(str(error), field=field) from None
    engine = CTranslate2Engine(path, family, [(source, target)])
    try:
        probe = engine.translate_now([PROBES.get(source, PROBES["en"])], source, target)[0]
    except EngineError as error:
        raise InvalidInput(f"the model does not run: {error}", field="path") from None
    return family, probe


def _refuse_duplicate(session: Session, path: Path, source: str, target: str) -> None:
    existing = session.scalars(
        select(MTModel).where(
            MTModel.path == str(path),
            MTModel.source_language == source,
            MTModel.target_language == target,
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{path} is already registered for {source} → {target} as #{existing.id}")


@app.command("install")
@one_line_errors
def install(
    path: Annotated[Path, typer.Argument(help="A CTranslate2 model directory or Argos package.")],
    source: Annotated[str, typer.Option(help="Source language, e.g. fr.")],
    target: Annotated[str, typer.Option(help="Target language, e.g. en.")],
    family: Annotated[
        str, typer.Option(help="auto, marian (OPUS-MT), nllb, m2m100 or argos.")
    ] = "auto",
    as_json: JsonOption = False,
) -> None:
    """Register a local CTranslate2 model for one language pair (run it once to check)."""
    if family != "auto" and family not in codes.FAMILIES:
        raise InvalidInput(
            f"unknown family {family!r} (auto, {', '.join(codes.FAMILIES)})", field="family"
        )
    if source == target:
        raise InvalidInput("source and target are the same language", field="target")
    path = path.expanduser().resolve()
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", field="path")
    db = database()
    with db.read() as session:
        working = get_agency(session).languages
        for language, field in ((source, "source"), (target, "target")):
            if language not in working:
                raise InvalidInput(
                    f"{language!r} is not a working language of the agency ({', '.join(working)})",
                    field=field,
                )
        _refuse_duplicate(session, path, source, target)
    # Loading a model takes a while: not inside the write transaction.
    family, probe = _check_model(path, family, source, target)
    with write_session(db) as session:
        _refuse_duplicate(session, path, source, target)
        model = MTModel(
            path=str(path), family=family, source_language=source, target_language=target
        )
        session.add(model)
        session.flush()
        audit(session, CLI, "mt_model.install", "mt_model", model.id, family=family, path=str(path))
        document = _document(model) | {"test_translation": probe}
    emit(
        as_json,
        document,
        f"model #{document['id']} registered: {source} → {target}, {family}, {path}\n"
        f"test: {PROBES.get(source, PROBES['en'])!r} → {probe!r}",
    )


@app.command("list")
@one_line_errors
def list_models(as_json: JsonOption = False) -> None:
    """List the registered local models."""
    db = database()
    with db.read() as session:
        models = [_document(m) for m in session.scalars(select(MTModel).order_by(MTModel.id))]
    lines = [
        f"#{m['id']}  {m['source']} → {m['target']}  {m['family']}  {m['path']}"
        + ("" if m["active"] else "  (inactive)")
        for m in models
    ]
    emit(as_json, {"models": models}, "\n".join(lines) or "no local models registered")


@app.command("remove")
@one_line_errors
def remove(
    model_id: Annotated[int, typer.Argument(metavar="ID", help="The number `mt list` shows.")],
    as_json: JsonOption = False,
) -> None:
    """Unregister a local model (its files stay where they are)."""
    with write_session(database()) as session:
        model = session.get(MTModel, model_id)
        if model is None:
            raise NotFound(f"no local model #{model_id}", field="id")
        document = _document(model)
        session.delete(model)
        audit(session, CLI, "mt_model.remove", "mt_model", model_id, path=model.path)
    emit(as_json, document, f"model #{model_id} removed ({document['path']})")
