"""`newswire term ...`: the termbase: names and titles in every working language."""

from __future__ import annotations

from typing import Annotated

import typer

from newswire.agency.services import SYSTEM
from newswire.cli.common import JsonOption, database, emit, one_line_errors, write_session
from newswire.errors import InvalidInput
from newswire.translation import termbase

app = typer.Typer(
    help="The termbase: names and titles in every working language.", no_args_is_help=True
)


def _language_value(value: str, option: str) -> tuple[str, str]:
    """`en=Ilham Aliyev` → ("en", "Ilham Aliyev"); the text may hold commas and "=" signs."""
    language, sep, text = value.partition("=")
    if not sep or not language.strip() or not text.strip():
        raise InvalidInput(f"{option} takes LANG=TEXT, e.g. en=Baku", field=option)
    return language.strip(), text.strip()


def _summary(document: dict[str, object], language: str | None) -> str:
    forms = document["forms"]
    assert isinstance(forms, dict)
    if language and language in forms:
        shown = f"{language}: {forms[language]}"
    else:
        shown = " · ".join(f"{lang}: {form}" for lang, form in forms.items())
    return f"{document['id']}  {document['kind']}  {shown}"


@app.command("add")
@one_line_errors
def add(
    form: Annotated[
        list[str], typer.Option(help="A preferred form, LANG=TEXT; repeat for each language.")
    ],
    kind: Annotated[
        str, typer.Option(help="person, title, organisation, place or other.")
    ] = "other",
    variant: Annotated[
        list[str] | None,
        typer.Option(help="A form to replace by the preferred one, LANG=TEXT; repeatable."),
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for translators.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a term with its preferred form in two or more languages."""
    forms: dict[str, str] = {}
    for value in form:
        language, text = _language_value(value, "--form")
        if language in forms:
            raise InvalidInput(f"two preferred forms in {language!r}", field="--form")
        forms[language] = text
    variants: dict[str, list[str]] = {}
    for value in variant or []:
        language, text = _language_value(value, "--variant")
        variants.setdefault(language, []).append(text)
    data = termbase.TermInput(kind=kind, note=note, forms=forms, variants=variants)
    db = database()
    try:
        with write_session(db) as session:
            document = termbase.term_document(termbase.add_term(session, SYSTEM, data))
    finally:
        db.dispose()
    emit(as_json, document, f"term {document['id']} added: {_summary(document, None)}")


@app.command("list")
@one_line_errors
def list_(
    lang: Annotated[str | None, typer.Option(help="Only terms with a form in LANG.")] = None,
    q: Annotated[str | None, typer.Option(help="Only terms with a form containing TEXT.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many terms.")] = 1000,
    as_json: JsonOption = False,
) -> None:
    """List termbase entries in the order they were added."""
    db = database()
    try:
        with db.read() as session:
            terms = termbase.list_terms(session, q=q, language=lang, limit=limit, offset=0)
            documents = [termbase.term_document(term) for term in terms]
    finally:
        db.dispose()
    human = "\n".join(_summary(d, lang) for d in documents) or "no terms"
    emit(as_json, {"terms": documents}, human)
