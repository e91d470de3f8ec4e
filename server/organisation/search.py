"""Finding people by name the way Vietnamese is typed: with or without accents.

"nguyen van hung" finds "Nguyễn Văn Hùng", and so do "Hùng" and "NGUYỄN". The
folding removes tone and vowel marks (NFD, then drop combining marks), maps
đ/Đ to d (a letter of its own that NFD leaves alone) and case-folds.

There is no folded column in the schema, so the search runs in Python over the
active users (a province has a few thousand accounts; their names, user names
and titles fit in memory and fold in milliseconds). A migration adding a
folded, indexed column is the next step if that ever stops being true.

Every word of the query must start a word of the person's name, title or user
name (so "hung" finds "Hùng" but not "Phùng"), or sit anywhere in the user
name ("01" finds "daibieu01"). Results come in the order a person expects:
exact names first, then names that begin with the query, then names whose
words match, then matches on the title or user name; those typed with their
accents rank above those that only match without them; within each, the
Vietnamese order of names, by given name (the last word) first.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


# Names change rarely and are searched often (as the secretary types): each is folded
# once, not once per keystroke. A few tens of thousands of entries are a few megabytes.
@lru_cache(maxsize=65_536)
def fold(text: str) -> str:
    """``"Nguyễn  Văn Hùng"`` → ``"nguyen van hung"``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


@lru_cache(maxsize=65_536)
def plain(text: str) -> str:
    """Case-folded with the accents kept: ``"Hùng"`` and ``"hùng"`` agree, ``"Hưng"`` not."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@lru_cache(maxsize=65_536)
def name_key(full_name: str) -> tuple[str, str, str]:
    """Vietnamese order: given name (tên), then the whole name, accents as the tie-break."""
    folded = fold(full_name)
    return (folded.rsplit(" ", 1)[-1], folded, plain(full_name))


def text_key(text: str) -> tuple[str, str]:
    """Alphabetical order of names of things (units, rooms), accents as the tie-break."""
    return (fold(text), plain(text))


@dataclass(frozen=True)
class Candidate:
    id: int
    username: str
    full_name: str
    title: str


@dataclass(frozen=True)
class Query:
    """A query taken apart once: its words folded, and as typed (accents kept), each with a
    space before it, so that "starts a word of" is one substring test on " " + the words."""

    text: str
    words: tuple[str, ...]
    typed: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Query:
        folded = fold(text)
        return cls(folded, tuple(f" {w}" for w in folded.split()),
                   tuple(f" {w}" for w in plain(text).split()))


def rank(query: Query, person: Candidate) -> tuple[Any, ...] | None:
    """The sort key of a person who matches ``query``; None for one who does not."""
    if not query.words:
        return (4, 0, *name_key(person.full_name))
    name = fold(person.full_name)
    spaced_name = f" {name}"
    if all(w in spaced_name for w in query.words):
        tier = 0 if name == query.text else 1 if name.startswith(query.text) else 2
    else:
        spaced_title = f" {fold(person.title)}"
        username = fold(person.username)
        if not all(w in spaced_name or w in spaced_title or w[1:] in username
                   for w in query.words):
            return None
        tier = 3
    if fold(person.username) == query.text.replace(" ", ""):
        tier = 0
    own = f" {plain(person.full_name)} {plain(person.title)}"
    accents_differ = 0 if all(w in own for w in query.typed) else 1
    return (tier, accents_differ, *name_key(person.full_name))


def best_matches(query: str, people: list[Candidate]) -> list[Candidate]:
    """Everyone who matches, best first."""
    parsed = Query.of(query)
    ranked = [(key, person) for person in people if (key := rank(parsed, person)) is not None]
    ranked.sort(key=lambda pair: (pair[0], pair[1].id))
    return [person for _, person in ranked]
