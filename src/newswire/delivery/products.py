"""Products as filters: which published versions a subscriber is entitled to.

The same test decides what a key may pull from the content API and what the publish queue
pushes to a channel, so pull and push never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol


class ProductRow(Protocol):
    """A product as stored: the ORM object, or a plain row of the products table."""

    @property
    def languages(self) -> Sequence[str] | None: ...
    @property
    def topics(self) -> Sequence[str] | None: ...
    @property
    def desk_ids(self) -> Sequence[int] | None: ...
    @property
    def bureau_ids(self) -> Sequence[int] | None: ...
    @property
    def max_urgency(self) -> int: ...
    @property
    def content(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Facts:
    """What a product looks at in a published version."""

    language: str
    subjects: tuple[str, ...] = ()
    desk_id: int | None = None
    bureau_id: int | None = None
    urgency: int = 5
    origin: str = "own"


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """A product's filter, detached from the database. Empty sets match anything."""

    languages: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    desk_ids: frozenset[int] = frozenset()
    bureau_ids: frozenset[int] = frozenset()
    max_urgency: int = 9
    content: str = "all"

    @classmethod
    def of(cls, product: ProductRow) -> ProductFilter:
        return cls(
            languages=frozenset(product.languages or ()),
            topics=frozenset(product.topics or ()),
            desk_ids=frozenset(product.desk_ids or ()),
            bureau_ids=frozenset(product.bureau_ids or ()),
            max_urgency=product.max_urgency,
            content=product.content,
        )

    def matches(self, facts: Facts) -> bool:
        if self.languages and facts.language not in self.languages:
            return False
        if self.topics and not any(s in self.topics for s in facts.subjects):
            return False
        if self.desk_ids and facts.desk_id not in self.desk_ids:
            return False
        if self.bureau_ids and facts.bureau_id not in self.bureau_ids:
            return False
        if facts.urgency > self.max_urgency:
            return False
        return self.content == "all" or self.content == facts.origin


def any_matches(products: Iterable[ProductFilter], facts: Facts) -> bool:
    return any(product.matches(facts) for product in products)
