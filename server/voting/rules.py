"""The rules that decide a vote: pure functions, no database, no clock.

A poll passes (thông qua) when the votes for it reach a share of a base: more
than half, at least two thirds, or at least a custom fraction, of the votes
cast, of the members present, or of all members with a voting right. The
People's Committee decides by more than half of all its members, and meets when
at least two thirds are present (the quorum). Shares are compared in whole
numbers (``votes × d`` against ``n × base``), so exactly half is never "more
than half" and exactly two thirds always is "at least two thirds", with no
floating point in between. ``tests/voting/test_rules.py`` checks the properties
(monotonic, the boundaries, empty polls) with hypothesis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .models import Majority, OptionRole, PollKind, ShareBase


@dataclass(frozen=True)
class Threshold:
    """``votes / base`` more than (``strict``) or at least ``numerator / denominator``."""

    numerator: int
    denominator: int
    strict: bool

    def met(self, votes: int, base: int) -> bool:
        if base <= 0:
            return False
        left, right = votes * self.denominator, self.numerator * base
        return left > right if self.strict else left >= right

    def needed(self, base: int) -> int:
        """The fewest votes that meet the threshold over ``base`` (0 when none can)."""
        if base <= 0:
            return 0
        whole, rest = divmod(self.numerator * base, self.denominator)
        return whole + 1 if self.strict or rest else whole


MORE_THAN_HALF = Threshold(1, 2, strict=True)
TWO_THIRDS = Threshold(2, 3, strict=False)


def threshold_of(majority: Majority, numerator: int = 1, denominator: int = 2) -> Threshold:
    if majority == Majority.MORE_THAN_HALF:
        return MORE_THAN_HALF
    if majority == Majority.TWO_THIRDS:
        return TWO_THIRDS
    return Threshold(numerator, denominator, strict=False)


def quorum_met(present: int, members: int, numerator: int, denominator: int) -> bool:
    return Threshold(numerator, denominator, strict=False).met(present, members)


@dataclass(frozen=True)
class Turnout:
    members: int   # with a voting right
    present: int   # of those, present (in the hall or a remote room)
    cast: int      # ballots cast (an abstention is a ballot)


def base_count(base: ShareBase, turnout: Turnout) -> int:
    return {ShareBase.CAST: turnout.cast, ShareBase.PRESENT: turnout.present,
            ShareBase.MEMBERS: turnout.members}[base]


@dataclass(frozen=True)
class Count:
    option_id: int
    role: OptionRole
    votes: int


@dataclass(frozen=True)
class Outcome:
    passed: bool
    base: int                  # the number the share is of
    needed: int                # votes needed to pass
    deciding_votes: int        # yes votes, or the leading option's votes
    chosen: tuple[int, ...]    # the winning option, or the candidates elected
    tie: bool                  # a tie decided nothing (at the top, or for the last seat)


def decide(kind: PollKind, counts: Sequence[Count], turnout: Turnout, threshold: Threshold,
           base: ShareBase, seats: int = 1) -> Outcome:
    size = base_count(base, turnout)
    needed = threshold.needed(size)
    if kind == PollKind.YES_NO:
        yes = sum(c.votes for c in counts if c.role == OptionRole.YES)
        passed = threshold.met(yes, size)
        chosen = tuple(c.option_id for c in counts if c.role == OptionRole.YES) if passed else ()
        return Outcome(passed, size, needed, yes, chosen, tie=False)
    ranked = sorted(counts, key=lambda c: -c.votes)
    seats = 1 if kind == PollKind.CHOICE else max(1, seats)
    qualified = [c for c in ranked if threshold.met(c.votes, size)]
    chosen, tie = _fill_seats(qualified, seats)
    top = ranked[0].votes if ranked else 0
    return Outcome(bool(chosen), size, needed, top, chosen, tie)


def _fill_seats(qualified: list[Count], seats: int) -> tuple[tuple[int, ...], bool]:
    """The first ``seats`` by votes; when the last seat is tied, none of the tied get it."""
    if len(qualified) <= seats:
        return tuple(c.option_id for c in qualified), False
    boundary = qualified[seats - 1].votes
    if qualified[seats].votes < boundary:
        return tuple(c.option_id for c in qualified[:seats]), False
    return tuple(c.option_id for c in qualified if c.votes > boundary), True
