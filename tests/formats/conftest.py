"""Fixtures for the format tests: item documents from a small factory, and the IPTC validators.

The official schemas are read from shared/standards beside the repository, never copied into it.
Test modules that need them skip themselves when the folder is missing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource

from newswire.stories.document import ItemDocument, Subject

STANDARDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "standards"

FIRST_CREATED = datetime(2025, 2, 19, 10, 0, tzinfo=UTC)

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")


def make_doc(**overrides: Any) -> ItemDocument:
    """An English item from the Baku bureau; `overrides` replace any field."""
    fields: dict[str, Any] = {
        "uri": "urn:newsml:azertac.az:20250219:1001",
        "version": 1,
        "language": "en",
        "firstcreated": FIRST_CREATED,
        "versioncreated": FIRST_CREATED + timedelta(minutes=30),
        "headline": "Caspian transit agreement signed in Baku",
        "body_html": "<p>Five Caspian states signed a transit agreement on Wednesday.</p>",
    }
    fields.update(overrides)
    return ItemDocument(**fields)


def minimal_doc() -> ItemDocument:
    return ItemDocument(
        uri="urn:newsml:azertac.az:20250219:1002",
        version=1,
        language="en",
        firstcreated=FIRST_CREATED,
        versioncreated=FIRST_CREATED,
        headline="Flash: earthquake felt in Shamakhi",
    )


def full_doc() -> ItemDocument:
    """Every optional field set."""
    return make_doc(
        version=3,
        versioncreated=datetime(2025, 2, 19, 12, 15, tzinfo=UTC),
        embargoed=datetime(2025, 2, 19, 14, 0, tzinfo=UTC),
        urgency=3,
        subheadline="Rail freight across the sea is expected to double by 2030",
        body_html=(
            "<p>Five Caspian states signed a <b>transit agreement</b> on Wednesday.</p>"
            '<p>The text is on the <a href="https://example.org/agreement" '
            'rel="noopener noreferrer">ministry website</a>.</p>'
        ),
        slugline="AZ-TRANSIT",
        byline="By Leyla Mammadova",
        located="Baku",
        dateline="Baku, 19 February, AZERTAC",
        subjects=(
            Subject(code="medtop:11000000", name="politics"),
            Subject(code="medtop:04000000", name="economy, business and finance"),
        ),
        places=("Baku", "Aktau"),
        people=("Minister of Digital Development and Transport",),
        organisations=("Ministry of Economy",),
        keywords=("transit", "rail"),
        ednote="Embargoed until 18:00 Baku time.",
        correction_note="Corrects the length of the rail link in the second paragraph.",
        copyrightholder="AZERTAC",
        agency_domain="azertac.az",
        story_id=1001,
        canonical_url="https://azertac.az/en/news/1001-caspian-transit-agreement-signed",
    )


def arabic_doc() -> ItemDocument:
    return make_doc(
        uri="urn:newsml:azertac.az:20250219:1003",
        language="ar",
        headline="توقيع اتفاقية النقل عبر بحر قزوين في باكو",
        subheadline="يتوقع أن يتضاعف الشحن بالسكك الحديدية",
        body_html=(
            "<p>وقّعت خمس دول مطلة على بحر قزوين اليوم اتفاقية جديدة للنقل.</p>"
            "<p>وقال الوزير إن حجم الشحن <b>سيتضاعف</b> خلال خمس سنوات.</p>"
        ),
        located="باكو",
        dateline="باكو، 19 فبراير، أذرتاج",
        byline="ليلى محمدوفا",
        subjects=(Subject(code="medtop:11000000", name="سياسة"),),
        places=("باكو",),
        copyrightholder="أذرتاج",
    )


def chinese_doc() -> ItemDocument:
    return make_doc(
        uri="urn:newsml:azertac.az:20250219:1004",
        language="zh",
        headline="里海过境运输协议在巴库签署",
        subheadline="铁路货运量有望翻番",
        body_html="<p>里海沿岸五国今天签署了一项新的运输协议。</p><p>部长表示，货运量将在<b>五年内</b>翻一番。</p>",
        located="巴库",
        dateline="巴库，2月19日，阿塞拜疆国家通讯社",
        subjects=(Subject(code="medtop:04000000", name="经济、商业和金融"),),
        keywords=("过境",),
    )


def killed_doc() -> ItemDocument:
    return make_doc(
        version=4,
        pubstatus="canceled",
        versioncreated=datetime(2025, 2, 20, 8, 0, tzinfo=UTC),
        body_html="<p>This story has been withdrawn. Please do not use it.</p>",
        ednote="Withdrawn: the agreement was not signed.",
    )


def embargoed_doc() -> ItemDocument:
    return make_doc(embargoed=datetime(2025, 2, 20, 6, 0, tzinfo=UTC), ednote="Embargoed.")


def withheld_doc() -> ItemDocument:
    return make_doc(pubstatus="withheld", version=2)


SAMPLES: dict[str, Callable[[], ItemDocument]] = {
    "minimal": minimal_doc,
    "full": full_doc,
    "arabic": arabic_doc,
    "chinese": chinese_doc,
    "killed": killed_doc,
    "embargoed": embargoed_doc,
    "withheld": withheld_doc,
}


@pytest.fixture(params=list(SAMPLES))
def sample_doc(request: pytest.FixtureRequest) -> ItemDocument:
    """Each sample document in turn."""
    return SAMPLES[request.param]()


@pytest.fixture(name="make_doc")
def make_doc_fixture() -> Callable[..., ItemDocument]:
    return make_doc


@pytest.fixture(name="full_doc")
def full_doc_fixture() -> ItemDocument:
    return full_doc()


@pytest.fixture(name="minimal_doc")
def minimal_doc_fixture() -> ItemDocument:
    return minimal_doc()


def _format_checker() -> FormatChecker:
    # jsonschema checks "date-time" and "uri" only when optional packages are installed, which
    # they are not here; without these two checkers the ninjs date and URI formats would pass
    # unchecked.
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    @checker.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or bool(_URI.match(value))

    return checker


@pytest.fixture(scope="session")
def format_checker() -> FormatChecker:
    return _format_checker()


def _ninjs_validator(version: str, checker: FormatChecker) -> Draft202012Validator:
    schemas = STANDARDS / "ninjs" / "schemas"
    geojson = json.loads((schemas / "GeoJSON-schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        geojson["$id"], Resource.from_contents(geojson)
    )
    schema = json.loads((schemas / f"ninjs-schema_{version}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=checker)


@pytest.fixture(scope="session")
def ninjs2_validator(format_checker: FormatChecker) -> Draft202012Validator:
    """ninjs-schema_2.2.json, with GeoJSON registered and formats checked."""
    return _ninjs_validator("2.2", format_checker)


@pytest.fixture(scope="session")
def ninjs3_validator(format_checker: FormatChecker) -> Draft202012Validator:
    """ninjs-schema_3.1.json, with GeoJSON registered and formats checked."""
    return _ninjs_validator("3.1", format_checker)


@pytest.fixture(scope="session")
def g2_schema() -> etree.XMLSchema:
    """NewsML-G2 2.35 and NITF 3.6 together, so NITF inside inlineXML is validated too."""
    path = STANDARDS / "newsml-g2" / "schema" / "G2-NITF-multi-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))
