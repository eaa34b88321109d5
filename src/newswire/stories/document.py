"""The immutable content of one published version of an item.

A version's document is written once, when the version is made, and every output format
(ninjs 2.2, ninjs 3.1, NewsML-G2) is rendered from it alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

PubStatus = Literal["usable", "withheld", "canceled"]


class Subject(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # an IPTC Media Topic qcode such as "medtop:11000000"
    name: str | None = None  # the label in the item's language, when the vocabulary has one

    @property
    def uri(self) -> str | None:
        scheme, _, local = self.code.partition(":")
        if scheme == "medtop" and local:
            return f"http://cv.iptc.org/newscodes/mediatopic/{local}"
        return None


class Picture(BaseModel):
    """A picture shown with the story: where it is, and what it shows in the item's language."""

    model_config = ConfigDict(frozen=True)

    href: str  # an absolute http(s) URL of the image
    caption: str | None = None  # shown under the picture
    alt: str | None = None  # for readers who cannot see it; the caption when absent
    credit: str | None = None  # photographer or agency
    mimetype: str | None = None  # e.g. image/jpeg
    width: int | None = None
    height: int | None = None


class ItemDocument(BaseModel):
    """Everything a subscriber receives about one version of one language version of a story."""

    model_config = ConfigDict(frozen=True)

    uri: str
    version: int
    pubstatus: PubStatus = "usable"
    language: str
    firstcreated: datetime
    versioncreated: datetime
    embargoed: datetime | None = None
    urgency: int = 5
    headline: str
    subheadline: str | None = None
    body_html: str = ""  # sanitised HTML: <p>, <h2>, <ul>, <a>, <b>, <i>, ...
    slugline: str | None = None
    byline: str | None = None
    located: str | None = None  # the place of the dateline, in the item's language
    dateline: str | None = None  # rendered: "Bakou, 19 février, AZERTAC"
    subjects: tuple[Subject, ...] = ()
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    pictures: tuple[Picture, ...] = ()
    ednote: str | None = None
    correction_note: str | None = None  # shown to readers on a corrected version
    copyrightholder: str | None = None  # the agency's name
    agency_domain: str | None = None
    story_id: int | None = None
    canonical_url: str | None = None


class ItemInput(BaseModel):
    """What a writer supplies for one language version, before sanitising and numbering.

    Input formats (ninjs 2.x today) are parsed into this model; the story services take it.
    """

    model_config = ConfigDict(frozen=True)

    language: str
    headline: str
    subheadline: str | None = None
    body_html: str = ""  # not yet sanitised
    slugline: str | None = None
    byline: str | None = None
    located: str | None = None
    firstcreated: datetime | None = None
    urgency: int | None = None
    subjects: tuple[str, ...] = ()  # qcodes, e.g. "medtop:04000000"
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    pictures: tuple[Picture, ...] = ()  # not yet checked
    embargoed: datetime | None = None
    ednote: str | None = None
    uri: str | None = None
