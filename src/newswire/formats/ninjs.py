"""IPTC ninjs (News in JSON): 2.2 and 3.1 documents out, 2.x documents in.

Output follows the official schemas in shared/standards/ninjs/schemas. ninjs has no
`keywords` property in any version (IPTC newsinjson issue #20 is still open), so keywords travel
as subjects with `rel: "keyword"` and no code; `Ninjs2In` reads them back the same way.

Pictures travel as `associations` of type "picture", as IPTC's examples and the agencies' feeds
carry them: the caption and alt text as descriptions, the image as a rendition. On input the
association's own `uri` is the picture's identity, and its link only when no rendition has one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
)

from newswire.formats.bodytext import count_words, plain_text, text_to_html
from newswire.formats.timestamps import rfc3339
from newswire.stories.document import ItemDocument, ItemInput, Picture

NINJS2_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json#"
NINJS3_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
PROFILE = "newswire-text"
KEYWORD_REL = "keyword"

# A ninjs document is JSON whose shape the IPTC schema describes; it is only ever serialised.
NinjsDocument = dict[str, Any]

_MEDIATOPIC_URI = re.compile(r"^https?://cv\.iptc\.org/newscodes/mediatopic/([A-Za-z0-9]+)/?$")
_HTTP_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)

# Roles of picture texts: ours on output, and the spellings providers use for alt text on input.
CAPTION_ROLE = "caption"
ALT_ROLE = "alt"
_ALT_ROLES = frozenset({"alt", "alternative", "alt-text"})
_CREDIT_ROLES = frozenset({"creditline", "credit"})  # AP's credit line travels as a description
# Rendition names that mean "the picture itself", not a crop or a thumbnail: ours, and AP's.
_ORIGINAL_RENDITIONS = frozenset({"original", "baseimage"})
# Association types that cannot be a picture, even with an image rendition (a video's poster).
_NOT_PICTURES = frozenset({"text", "audio", "video", "composite", "component"})


# --- output -----------------------------------------------------------------------------------


def to_ninjs2(doc: ItemDocument) -> NinjsDocument:
    """The document as ninjs 2.2 (valid against ninjs-schema_2.2.json)."""
    text = plain_text(doc.body_html)
    bodies = []
    if doc.body_html.strip():
        bodies.append(
            {
                "role": "main",
                "contenttype": "text/html",
                "value": doc.body_html,
                "charcount": len(text),
                "wordcount": count_words(text),
            }
        )
    return _without_empty(
        {
            "uri": doc.uri,
            "type": "text",
            "representationtype": "full",
            "profile": PROFILE,
            "version": str(doc.version),
            "firstcreated": rfc3339(doc.firstcreated),
            "versioncreated": rfc3339(doc.versioncreated),
            "embargoed": rfc3339(doc.embargoed) if doc.embargoed else None,
            "pubstatus": doc.pubstatus,
            "urgency": doc.urgency,
            "language": doc.language,
            "headlines": _headlines(doc),
            "bodies": bodies,
            "slugline": doc.slugline,
            "by": doc.byline,
            "located": doc.located,
            "subjects": _subjects(doc),
            "places": _named(doc.places),
            "people": _named(doc.people),
            "organisations": _named(doc.organisations),
            "ednote": doc.ednote,
            "descriptions": _descriptions(doc),
            "copyrightholder": doc.copyrightholder,
            "altids": _altids(doc),
            "associations": _associations2(doc),
            "standard": {"name": "ninjs", "version": "2.2", "schema": NINJS2_SCHEMA},
        }
    )


def to_ninjs3(doc: ItemDocument) -> NinjsDocument:
    """The document as ninjs 3.1 (valid against ninjs-schema_3.1.json): camelCase names."""
    text = plain_text(doc.body_html)
    bodies = []
    if doc.body_html.strip():
        bodies.append(
            {
                "role": "main",
                "contentType": "text/html",
                "value": doc.body_html,
                "charCount": len(text),
                "wordCount": count_words(text),
            }
        )
    return _without_empty(
        {
            "uri": doc.uri,
            "type": "text",
            "representationType": "full",
            "profile": PROFILE,
            "version": str(doc.version),
            "firstCreated": rfc3339(doc.firstcreated),
            "versionCreated": rfc3339(doc.versioncreated),
            "embargoedUntil": rfc3339(doc.embargoed) if doc.embargoed else None,
            "pubStatus": doc.pubstatus,
            "urgency": doc.urgency,
            "language": doc.language,
            "headlines": _headlines(doc),
            "bodies": bodies,
            "slugline": doc.slugline,
            "by": doc.byline,
            "located": doc.located,
            "subjects": _subjects(doc),
            "places": _named(doc.places),
            "people": _named(doc.people),
            "organisations": _named(doc.organisations),
            "edNote": doc.ednote,
            "descriptions": _descriptions(doc),
            "copyrightHolder": doc.copyrightholder,
            "altIds": _altids(doc),
            "associations": _associations3(doc),
            "standard": {"name": "ninjs", "version": "3.1", "schema": NINJS3_SCHEMA},
        }
    )


def render_ninjs2(doc: ItemDocument) -> bytes:
    """The document as ninjs 2.2 JSON bytes."""
    return orjson.dumps(to_ninjs2(doc))


def render_ninjs3(doc: ItemDocument) -> bytes:
    """The document as ninjs 3.1 JSON bytes."""
    return orjson.dumps(to_ninjs3(doc))


def _without_empty(document: NinjsDocument) -> NinjsDocument:
    return {key: value for key, value in document.items() if value not in (None, "", [])}


def _headlines(doc: ItemDocument) -> list[dict[str, str]]:
    headlines = [{"role": "main", "value": doc.headline}] if doc.headline else []
    if doc.subheadline:
        headlines.append({"role": "sub", "value": doc.subheadline})
    return headlines


def _subjects(doc: ItemDocument) -> list[dict[str, str]]:
    subjects: list[dict[str, str]] = []
    for subject in doc.subjects:
        entry = {"name": subject.name, "uri": subject.uri, "literal": subject.code, "rel": "about"}
        subjects.append({key: value for key, value in entry.items() if value})
    subjects.extend({"name": keyword, "rel": KEYWORD_REL} for keyword in doc.keywords)
    return subjects


def _named(names: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


def _descriptions(doc: ItemDocument) -> list[dict[str, str]]:
    descriptions = []
    if doc.dateline:
        descriptions.append({"role": "dateline", "value": doc.dateline})
    if doc.correction_note:
        descriptions.append({"role": "correction", "value": doc.correction_note})
    return descriptions


def _altids(doc: ItemDocument) -> list[dict[str, str]]:
    return [] if doc.story_id is None else [{"role": "story", "value": str(doc.story_id)}]


def _associations2(doc: ItemDocument) -> list[NinjsDocument]:
    return [
        _without_empty(
            {
                "name": f"picture{n}",
                "uri": _picture_uri(doc, n),
                "type": "picture",
                "representationtype": "partial",
                "by": picture.credit,
                "descriptions": _picture_texts(picture, "contenttype"),
                "renditions": [
                    _without_empty(
                        {
                            "name": "original",
                            "href": picture.href,
                            "contenttype": picture.mimetype,
                            "width": picture.width,
                            "height": picture.height,
                        }
                    )
                ],
            }
        )
        for n, picture in enumerate(doc.pictures, start=1)
    ]


def _associations3(doc: ItemDocument) -> list[NinjsDocument]:
    return [
        _without_empty(
            {
                "name": f"picture{n}",
                "uri": _picture_uri(doc, n),
                "type": "picture",
                "representationType": "partial",
                "by": picture.credit,
                "descriptions": _picture_texts(picture, "contentType"),
                "renditions": [
                    _without_empty(
                        {
                            "name": "original",
                            "href": picture.href,
                            "contentType": picture.mimetype,
                            "width": picture.width,
                            "height": picture.height,
                        }
                    )
                ],
            }
        )
        for n, picture in enumerate(doc.pictures, start=1)
    ]


def _picture_uri(doc: ItemDocument, n: int) -> str:
    # The schema reserves `uri` for the identity of the object, never for a link to a resource
    # (that is a rendition's `href`), so the picture is named after the item that carries it.
    return f"{doc.uri}:picture{n}"


def _picture_texts(picture: Picture, content_type: str) -> list[dict[str, str]]:
    texts = [(CAPTION_ROLE, picture.caption), (ALT_ROLE, picture.alt)]
    return [
        {"role": role, content_type: "text/plain", "value": value} for role, value in texts if value
    ]


# --- input ------------------------------------------------------------------------------------


def _date_time_text(value: object) -> object:
    # Pydantic would also take a number of seconds; the schema's date-time is a string only.
    if isinstance(value, str | datetime):
        return value
    raise ValueError("must be an RFC 3339 date-time string, e.g. 2025-02-19T10:00:00Z")


DateTime = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]
NinjsType = Literal["text", "audio", "video", "picture", "graphic", "composite", "component"]
JsonObject = dict[str, JsonValue]


class _Part(BaseModel):
    # The schema closes every one of these objects with additionalProperties: false.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ninjs2Text(_Part):
    """A headline or a description."""

    role: str | None = None
    contenttype: str | None = None
    value: str


class Ninjs2Body(Ninjs2Text):
    """One body: its text with markup, or plain."""

    charcount: float | None = None
    wordcount: float | None = None


class Ninjs2Concept(_Part):
    """A concept named, coded or both: a genre or a digital source type."""

    name: str | None = None
    uri: str | None = None
    literal: str | None = None


class Ninjs2Entity(Ninjs2Concept):
    """An event or an object the content is related to."""

    rel: str | None = None


class Ninjs2Subject(Ninjs2Entity):
    """A subject; Media Topics arrive as `literal` qcodes or as cv.iptc.org URIs."""

    creator: str | None = None
    relevance: int | None = Field(default=None, ge=0, le=100)
    confidence: int | None = Field(default=None, ge=0, le=100)


class Ninjs2Person(Ninjs2Entity):
    """A person."""

    contactinfo: list[JsonObject] | None = None


class Ninjs2Place(Ninjs2Person):
    """A place."""

    geojson: JsonObject | None = None


class Ninjs2Symbol(_Part):
    """A financial instrument of an organisation."""

    ticker: str | None = None
    exchange: str | None = None
    symboltype: str | None = None
    symbol: str | None = None


class Ninjs2Organisation(Ninjs2Person):
    """An organisation."""

    symbols: list[Ninjs2Symbol] | None = None


class Ninjs2InfoSource(_Part):
    """A party that supplied or enhanced the content."""

    name: str | None = None
    role: str | None = None
    uri: str | None = None
    literal: str | None = None
    contactinfo: list[JsonObject] | None = None


class Ninjs2Rendition(_Part):
    """A rendition of the object, e.g. a picture size."""

    name: str
    href: str | None = None
    contenttype: str | None = None
    title: str | None = None
    height: float | None = None
    width: float | None = None
    sizeinbytes: float | None = None
    duration: float | None = None
    format: str | None = None


class Ninjs2AltId(_Part):
    """Another identifier of the object."""

    role: str | None = None
    value: str | None = None


class Ninjs2TrustIndicator(_Part):
    """A link to a document about trust, e.g. an ethics policy."""

    role: str | None = None
    title: str | None = None
    href: str | None = None


class Ninjs2Standard(_Part):
    """The standard, version and schema the document claims to follow."""

    name: str | None = None
    version: str | None = None
    # `schema` would shadow a BaseModel attribute, hence the alias.
    schema_uri: str | None = Field(default=None, alias="schema")


class _Ninjs2Object(BaseModel):
    """Every property of a ninjs 2.2 object; only those `to_item_input` reads matter to us."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uri: str | None = None
    type: NinjsType | None = None
    representationtype: Literal["full", "partial"] | None = None
    profile: str | None = None
    version: str | None = None
    firstcreated: DateTime | None = None
    versioncreated: DateTime | None = None
    contentcreated: DateTime | None = None
    embargoed: DateTime | None = None
    expires: DateTime | None = None
    pubstatus: Literal["usable", "withheld", "canceled"] | None = None
    urgency: int | None = Field(default=None, ge=1, le=9)
    copyrightholder: str | None = None
    copyrightnotice: str | None = None
    usageterms: str | None = None
    ednote: str | None = None
    language: str | None = None
    title: str | None = None
    by: str | None = None
    slugline: str | None = None
    located: str | None = None
    headlines: list[Ninjs2Text] = []
    bodies: list[Ninjs2Body] = []
    descriptions: list[Ninjs2Text] = []
    subjects: list[Ninjs2Subject] = []
    people: list[Ninjs2Person] = []
    organisations: list[Ninjs2Organisation] = []
    places: list[Ninjs2Place] = []
    events: list[Ninjs2Entity] = []
    objects: list[Ninjs2Entity] = []
    infosources: list[Ninjs2InfoSource] = []
    renditions: list[Ninjs2Rendition] = []
    associations: list[Ninjs2Association] = []
    altids: list[Ninjs2AltId] = []
    trustindicators: list[Ninjs2TrustIndicator] = []
    genres: list[Ninjs2Concept] = []
    standard: Ninjs2Standard | None = None
    rightsinfo: JsonObject | None = None
    digitalsourcetype: Ninjs2Concept | None = None


class Ninjs2Association(_Ninjs2Object):
    """A news object associated with the item, e.g. its picture: a ninjs object with a name."""

    name: str
    uri: str

    def to_picture(self) -> Picture | None:
        """The picture this association shows, or None when it is no picture or has no link.

        The link is not checked here: the story services refuse one that is not absolute
        http(s), naming `associations`, so a writer learns of it instead of losing the picture.
        """
        if not self._is_picture():
            return None
        rendition = self._best_rendition()
        if rendition is not None and rendition.href is not None:
            href = rendition.href
        elif _HTTP_URL.match(self.uri):
            # A picture sent by reference only (as in IPTC's own examples): its URI is its URL.
            href, rendition = self.uri, None
        else:
            return None
        headline = _main_headline_of(self.headlines)
        caption = (
            self._description({CAPTION_ROLE})
            or (headline.value if headline else None)
            or self.title
            or self._description({None})
        )
        return Picture(
            href=href,
            caption=caption,
            alt=self._description(_ALT_ROLES),
            credit=self.by or self.copyrightholder or self._description(_CREDIT_ROLES),
            mimetype=rendition.contenttype if rendition else None,
            width=_pixels(rendition.width) if rendition else None,
            height=_pixels(rendition.height) if rendition else None,
        )

    def _is_picture(self) -> bool:
        if self.type == "picture":
            return True
        if self.type in _NOT_PICTURES:
            return False
        return any(_is_image(rendition.contenttype) for rendition in self.renditions)

    def _best_rendition(self) -> Ninjs2Rendition | None:
        # A rendition in another format (a PDF, an XMP sidecar) is no picture to show.
        linked = [
            rendition
            for rendition in self.renditions
            if rendition.href
            and (rendition.contenttype is None or _is_image(rendition.contenttype))
        ]
        original = next((r for r in linked if r.name.strip().lower() in _ORIGINAL_RENDITIONS), None)
        if original is not None or not linked:
            return original
        # max() keeps the first of equals, so without widths the provider's first one wins.
        return max(linked, key=lambda rendition: rendition.width or 0)

    def _description(self, roles: Collection[str | None]) -> str | None:
        for description in self.descriptions:
            role = description.role.strip().lower() if description.role else None
            if role in roles and description.value.strip():
                return description.value
        return None


class Ninjs2In(_Ninjs2Object):
    """A ninjs 2.x document as a writer sends it: the body of `POST /api/v1/stories`.

    Every property of the 2.2 schema is accepted; one the schema does not define is an error
    naming it. `language` and a headline are required because an item cannot exist without them.
    """

    language: str = Field(min_length=1)
    headlines: list[Ninjs2Text]

    @field_validator("headlines")
    @classmethod
    def _one_headline_has_text(cls, headlines: list[Ninjs2Text]) -> list[Ninjs2Text]:
        if not any(headline.value.strip() for headline in headlines):
            raise ValueError("at least one headline with text is required")
        return headlines

    def to_item_input(self) -> ItemInput:
        """What the story services need from this document."""
        headline = self._main_headline()
        subheadline = next(
            (
                h
                for h in self.headlines
                if h.role == "sub" and h is not headline and h.value.strip()
            ),
            None,
        )
        codes: list[str] = []
        keywords: list[str] = []
        for subject in self.subjects:
            if subject.rel == KEYWORD_REL:
                keywords.append(subject.name or subject.literal or "")
            elif code := subject.literal or mediatopic_qcode(subject.uri):
                codes.append(code)
            elif subject.name:
                # A subject with a name and no code is a keyword in all but name.
                keywords.append(subject.name)
        return ItemInput(
            language=self.language,
            headline=headline.value.strip(),
            subheadline=subheadline.value.strip() if subheadline else None,
            body_html=self._body_html(),
            slugline=self.slugline,
            byline=self.by,
            located=self.located,
            firstcreated=_utc(self.firstcreated),
            urgency=self.urgency,
            subjects=_unique(codes),
            places=_unique(p.name for p in self.places if p.name),
            people=_unique(p.name for p in self.people if p.name),
            organisations=_unique(o.name for o in self.organisations if o.name),
            keywords=_unique(k for k in keywords if k),
            embargoed=_utc(self.embargoed),
            pictures=tuple(p for a in self.associations if (p := a.to_picture()) is not None),
            ednote=self.ednote,
            uri=self.uri,
        )

    def _main_headline(self) -> Ninjs2Text:
        main = _main_headline_of(self.headlines)
        assert main is not None  # the validator above made sure one headline has text
        return main

    def _body_html(self) -> str:
        if not self.bodies:
            return ""
        by_type = {_media_type(body.contenttype): body for body in reversed(self.bodies)}
        body = by_type.get("text/html") or by_type.get("application/xhtml+xml") or self.bodies[0]
        media_type = _media_type(body.contenttype)
        # Without a content type the provider decides; text with no tag in it is plain text.
        if media_type == "text/plain" or (media_type is None and "<" not in body.value):
            return text_to_html(body.value)
        return body.value


def _main_headline_of(headlines: list[Ninjs2Text]) -> Ninjs2Text | None:
    with_text = [h for h in headlines if h.value.strip()]
    return next((h for h in with_text if h.role == "main"), with_text[0] if with_text else None)


def _is_image(content_type: str | None) -> bool:
    return (_media_type(content_type) or "").startswith("image/")


def _pixels(size: float | None) -> int | None:
    # The 2.x schema types sizes as numbers; a picture is measured in whole pixels. Infinity
    # (which JSON parsers may accept) has no integer, so it counts as unknown.
    return round(size) if size is not None and math.isfinite(size) else None


def mediatopic_qcode(uri: str | None) -> str | None:
    """The qcode of a Media Topic URI (…/mediatopic/04000000 → "medtop:04000000"), else None."""
    match = _MEDIATOPIC_URI.match(uri or "")
    return f"medtop:{match.group(1)}" if match else None


def _media_type(content_type: str | None) -> str | None:
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment else None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
