"""IPTC validators shared by test modules: ninjs 2.2, ninjs 3.1 and NewsML-G2 2.35 (with NITF).

The official schemas are read from shared/standards beside the repository, never copied into it,
and loaded once per test session. Modules that use these validators mark themselves with
`requires_standards`, so that a checkout without the folder skips them and says why.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource

from tests.conftest import STANDARDS

NINJS_SCHEMAS = STANDARDS / "ninjs" / "schemas"
G2_SCHEMA = STANDARDS / "newsml-g2" / "schema" / "G2-NITF-multi-schema.xsd"

requires_standards = pytest.mark.skipif(
    not STANDARDS.is_dir(), reason=f"IPTC standards folder not found at {STANDARDS}"
)

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", re.IGNORECASE
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # ValueError: 2021-02-30
    return True


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


@lru_cache(maxsize=1)
def _format_checker() -> FormatChecker:
    """Draft 2020-12's own format checker, plus "date-time" and "uri" when it lacks them.

    jsonschema checks those two formats only when optional packages (rfc3339-validator,
    rfc3987) are installed; they are not dependencies of ours, and without them every ninjs
    date and URI would pass unchecked.
    """
    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    if "date-time" not in checker.checkers:
        checker.checks("date-time", raises=ValueError)(_is_date_time)
    if "uri" not in checker.checkers:
        checker.checks("uri")(_is_uri)
    return checker


@lru_cache(maxsize=2)
def _ninjs_validator(version: str) -> Draft202012Validator:
    geojson = json.loads((NINJS_SCHEMAS / "GeoJSON-schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        geojson["$id"], Resource.from_contents(geojson)
    )
    path = NINJS_SCHEMAS / f"ninjs-schema_{version}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry, format_checker=_format_checker())


@lru_cache(maxsize=1)
def _g2_schema() -> etree.XMLSchema:
    # The wrapper imports NewsML-G2 2.35 and NITF 3.6, so NITF inside inlineXML is checked too.
    return etree.XMLSchema(etree.parse(str(G2_SCHEMA)))


def _check_ninjs(version: str, doc: dict[str, Any]) -> None:
    errors = sorted(
        _ninjs_validator(version).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))
    )
    if errors:
        messages = [
            f"{'/'.join(map(str, e.absolute_path)) or '(document)'}: {e.message}" for e in errors
        ]
        raise AssertionError(f"not valid ninjs {version}:\n" + "\n".join(messages))


def validate_ninjs2(doc: dict[str, Any]) -> None:
    """Raise AssertionError listing every way `doc` breaks ninjs-schema_2.2.json."""
    _check_ninjs("2.2", doc)


def validate_ninjs3(doc: dict[str, Any]) -> None:
    """Raise AssertionError listing every way `doc` breaks ninjs-schema_3.1.json."""
    _check_ninjs("3.1", doc)


def validate_newsml(xml: bytes) -> None:
    """Raise AssertionError listing every way `xml` breaks NewsML-G2 2.35 or NITF 3.6."""
    schema = _g2_schema()
    document = etree.fromstring(xml)
    if not schema.validate(document):
        messages = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise AssertionError("not valid NewsML-G2 2.35:\n" + "\n".join(messages))
