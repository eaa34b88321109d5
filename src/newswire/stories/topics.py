"""IPTC Media Topics: codes always, labels per language when the vocabulary file is present."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import orjson

CODE_PATTERN = re.compile(r"^medtop:\d{8}$")

# IPTC's export labels a few languages with tags that are not BCP 47.
_IPTC_TAGS = {"en-GB": "en", "zh-Hans": "zh", "se": "sv", "dk": "da", "pt-PT": "pt"}


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    labels: dict[str, str] = field(default_factory=dict)
    parent: str | None = None
    retired: bool = False

    def label(self, language: str) -> str | None:
        return self.labels.get(language) or self.labels.get("en")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    topics: dict[str, Topic]

    @property
    def loaded(self) -> bool:
        return bool(self.topics)

    def label(self, code: str, language: str) -> str | None:
        topic = self.topics.get(code)
        return topic.label(language) if topic else None

    def check(self, code: str) -> str | None:
        """Why a code cannot be used, or None when it can."""
        if not CODE_PATTERN.match(code):
            return f"{code!r} is not an IPTC Media Topic code like 'medtop:04000000'"
        if self.loaded and code not in self.topics:
            return f"{code!r} is not in the IPTC Media Topics vocabulary"
        return None

    def top_level(self) -> list[Topic]:
        return [t for t in self.topics.values() if t.parent is None and not t.retired]


EMPTY = Vocabulary({})


@lru_cache(maxsize=4)
def load_vocabulary(directory: Path | None) -> Vocabulary:
    """Read the newest `iptc-mediatopic_*.json` export in `directory`; empty without one."""
    if directory is None or not directory.is_dir():
        return EMPTY
    files = sorted(directory.glob("iptc-mediatopic_*.json"))
    if not files:
        return EMPTY
    data = orjson.loads(files[-1].read_bytes())
    topics: dict[str, Topic] = {}
    for concept in data.get("conceptSet", []):
        code = concept.get("qcode")
        if not isinstance(code, str):
            continue
        labels = {
            _IPTC_TAGS.get(tag, tag): text for tag, text in (concept.get("prefLabel") or {}).items()
        }
        broader = concept.get("broader") or []
        topics[code] = Topic(
            code=code,
            labels=labels,
            parent=_qcode(broader[0]) if broader else None,
            retired=bool(concept.get("retired")),
        )
    return Vocabulary(topics)


def _qcode(reference: str) -> str:
    """IPTC's export names broader concepts by URI; we use qcodes everywhere."""
    prefix = "http://cv.iptc.org/newscodes/mediatopic/"
    return "medtop:" + reference[len(prefix) :] if reference.startswith(prefix) else reference
