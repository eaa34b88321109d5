"""`newswire term add` and `newswire term list`, run through the command line's own parser."""

from __future__ import annotations

import orjson
import pytest
from typer.testing import CliRunner, Result

from newswire.agency import services as agency
from newswire.cli.main import app
from newswire.db import Database
from newswire.languages import DEFAULT_WORKING_LANGUAGES


@pytest.fixture
def term(database: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    with database.write() as session:
        agency.ensure_agency(
            session,
            name={"en": "Azerbaijan State News Agency"},
            short_name={"en": "AZERTAC"},
            domain="azertac.az",
            working_languages=DEFAULT_WORKING_LANGUAGES,
        )
    monkeypatch.setenv("NEWSWIRE_DATABASE_URL", database.url)
    monkeypatch.setenv("COLUMNS", "80")  # a narrow terminal must not wrap the one-line errors
    return CliRunner()


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["term", *args])


def error(result: Result) -> str:
    assert result.exit_code != 0, result.stdout
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    return line


def test_add_prints_the_term_as_json(term: CliRunner) -> None:
    result = run(
        term,
        "add",
        "--kind", "person",
        "--form", "en=Ilham Aliyev",
        "--form", "ru=Ильхам Алиев",
        "--form", "ar=إلهام علييف",
        "--variant", "en=Ilham Aliev",
        "--note", "President of Azerbaijan",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    document = orjson.loads(result.stdout)
    assert document == {
        "id": document["id"],
        "kind": "person",
        "note": "President of Azerbaijan",
        "forms": {"en": "Ilham Aliyev", "ru": "Ильхам Алиев", "ar": "إلهام علييف"},
        "variants": {"en": ["Ilham Aliev"]},
    }
    result = run(term, "add", "--kind", "place", "--form", "en=Baku", "--form", "fr=Bakou")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("term ")
    assert "en: Baku · fr: Bakou" in result.stdout


def test_list_filters_by_language_and_text(term: CliRunner) -> None:
    run(term, "add", "--kind", "place", "--form", "en=Baku", "--form", "ru=Баку")
    run(term, "add", "--kind", "place", "--form", "en=Moscow", "--form", "ru=Москва")
    run(term, "add", "--kind", "place", "--form", "fr=Pékin", "--form", "zh=北京")
    listed = orjson.loads(run(term, "list", "--json").stdout)["terms"]
    assert [t["forms"].get("en") for t in listed] == ["Baku", "Moscow", None]
    listed = orjson.loads(run(term, "list", "--lang", "ru", "--q", "МОСК", "--json").stdout)
    assert [t["forms"]["ru"] for t in listed["terms"]] == ["Москва"]
    human = run(term, "list", "--lang", "zh")
    assert human.exit_code == 0
    assert human.stdout.splitlines() == ["3  place  zh: 北京"]
    assert run(term, "list", "--q", "nowhere").stdout == "no terms\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--form", "en=Baku"], "a term needs forms in at least two languages (forms)"),
        (["--form", "en=Baku", "--form", "fr"], "--form takes LANG=TEXT, e.g. en=Baku (--form)"),
        (["--kind", "city", "--form", "en=A", "--form", "fr=B"], "unknown kind 'city'"),
        (["--form", "en=A", "--form", "en=B"], "two preferred forms in 'en' (--form)"),
        (["--form", "en=A", "--form", "pt=B"], "'pt' is not a working language of the agency"),
    ],
)
def test_bad_input_is_one_line_and_a_failure(
    term: CliRunner, args: list[str], message: str
) -> None:
    line = error(run(term, "add", *args))
    assert line.startswith("newswire: error: ")
    assert message in line
    assert orjson.loads(run(term, "list", "--json").stdout) == {"terms": []}


def test_a_conflicting_form_names_the_term(term: CliRunner) -> None:
    run(term, "add", "--form", "en=Baku", "--form", "fr=Bakou")
    line = error(run(term, "add", "--form", "de=Baku", "--form", "fr=bakou"))
    assert line == "newswire: error: 'bakou' is already a form of term 1 in 'fr' (forms.fr)"
