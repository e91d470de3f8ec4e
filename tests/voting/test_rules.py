"""The rules that decide a vote, as properties (hypothesis) and as the law states them.

Every threshold here is a share of at most one: more than half, at least two
thirds, or at least ``n/d`` with ``1 <= n <= d``.
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from server.voting.models import Majority, OptionRole, PollKind, ShareBase
from server.voting.rules import (
    MORE_THAN_HALF,
    TWO_THIRDS,
    Count,
    Threshold,
    Turnout,
    base_count,
    decide,
    quorum_met,
    threshold_of,
)

SIZES = st.integers(min_value=0, max_value=500)


@st.composite
def fractions(draw: st.DrawFn) -> tuple[int, int]:
    denominator = draw(st.integers(min_value=1, max_value=30))
    return draw(st.integers(min_value=1, max_value=denominator)), denominator


@st.composite
def thresholds(draw: st.DrawFn) -> Threshold:
    majority = draw(st.sampled_from(Majority))
    return threshold_of(majority, *draw(fractions()))


@st.composite
def turnouts(draw: st.DrawFn) -> Turnout:
    members = draw(st.integers(min_value=0, max_value=200))
    present = draw(st.integers(min_value=0, max_value=members))
    return Turnout(members, present, draw(st.integers(min_value=0, max_value=present)))


@st.composite
def yes_no_polls(draw: st.DrawFn) -> tuple[int, int, int, Turnout]:
    """``(yes, no, abstain, turnout)`` with the ballots adding up to ``turnout.cast``."""
    turnout = draw(turnouts())
    yes = draw(st.integers(min_value=0, max_value=turnout.cast))
    no = draw(st.integers(min_value=0, max_value=turnout.cast - yes))
    return yes, no, turnout.cast - yes - no, turnout


@st.composite
def elections(draw: st.DrawFn) -> tuple[list[int], Turnout, int]:
    """Candidates' votes, a turnout where each voter chose up to ``seats`` of them."""
    seats = draw(st.integers(min_value=1, max_value=5))
    cast = draw(st.integers(min_value=0, max_value=60))
    # Small vote counts, so ties are frequent.
    votes = draw(st.lists(st.integers(min_value=0, max_value=cast), min_size=0, max_size=10))
    present = draw(st.integers(min_value=cast, max_value=cast + 20))
    members = draw(st.integers(min_value=present, max_value=present + 20))
    return votes, Turnout(members, present, cast), seats


def yes_no(yes: int, no: int, abstain: int) -> list[Count]:
    return [Count(1, OptionRole.YES, yes), Count(2, OptionRole.NO, no),
            Count(3, OptionRole.ABSTAIN, abstain)]


def options(votes: list[int], role: OptionRole = OptionRole.CANDIDATE) -> list[Count]:
    return [Count(i, role, v) for i, v in enumerate(votes, start=1)]


# Monotonicity.

@given(thresholds(), SIZES, SIZES)
def test_one_more_vote_never_undoes_a_met_threshold(threshold: Threshold, votes: int,
                                                    base: int) -> None:
    if threshold.met(votes, base):
        assert threshold.met(votes + 1, base)


@given(thresholds(), st.sampled_from(ShareBase), yes_no_polls())
def test_a_no_turned_into_a_yes_never_makes_a_passed_poll_fail(
        threshold: Threshold, base: ShareBase, poll: tuple[int, int, int, Turnout]) -> None:
    yes, no, abstain, turnout = poll
    assume(no > 0)
    before = decide(PollKind.YES_NO, yes_no(yes, no, abstain), turnout, threshold, base)
    after = decide(PollKind.YES_NO, yes_no(yes + 1, no - 1, abstain), turnout, threshold, base)
    assert after.passed or not before.passed


@given(thresholds(), st.sampled_from(ShareBase), yes_no_polls())
def test_one_more_yes_ballot_never_makes_a_passed_poll_fail(
        threshold: Threshold, base: ShareBase, poll: tuple[int, int, int, Turnout]) -> None:
    # A new ballot also raises the votes cast, the base when the share is of the votes cast.
    yes, no, abstain, turnout = poll
    assume(turnout.cast < turnout.present)
    more = Turnout(turnout.members, turnout.present, turnout.cast + 1)
    before = decide(PollKind.YES_NO, yes_no(yes, no, abstain), turnout, threshold, base)
    after = decide(PollKind.YES_NO, yes_no(yes + 1, no, abstain), more, threshold, base)
    assert after.passed or not before.passed


@given(fractions(), st.integers(min_value=0, max_value=300), st.data())
def test_more_members_present_never_loses_the_quorum(
        quorum: tuple[int, int], members: int, data: st.DataObject) -> None:
    present = data.draw(st.integers(min_value=0, max_value=max(0, members - 1)))
    assume(present < members)
    if quorum_met(present, members, *quorum):
        assert quorum_met(present + 1, members, *quorum)


# The boundaries.

@given(st.integers(min_value=1, max_value=1000))
def test_exactly_half_is_not_more_than_half_and_one_vote_more_is(half: int) -> None:
    more_than_half = threshold_of(Majority.MORE_THAN_HALF)
    assert not more_than_half.met(half, 2 * half)
    assert more_than_half.met(half + 1, 2 * half)


@given(st.integers(min_value=0, max_value=1000))
def test_more_than_half_of_an_odd_number_is_its_larger_half(half: int) -> None:
    assert not MORE_THAN_HALF.met(half, 2 * half + 1)
    assert MORE_THAN_HALF.met(half + 1, 2 * half + 1)


@given(st.integers(min_value=1, max_value=1000))
def test_exactly_two_thirds_is_at_least_two_thirds_and_one_vote_less_is_not(third: int) -> None:
    two_thirds = threshold_of(Majority.TWO_THIRDS)
    assert two_thirds.met(2 * third, 3 * third)
    assert not two_thirds.met(2 * third - 1, 3 * third)


@given(fractions(), st.integers(min_value=1, max_value=50))
def test_a_custom_share_is_met_exactly_at_its_fraction_and_not_one_vote_below(
        fraction: tuple[int, int], times: int) -> None:
    numerator, denominator = fraction
    threshold = threshold_of(Majority.CUSTOM, numerator, denominator)
    assert threshold.met(numerator * times, denominator * times)
    assert not threshold.met(numerator * times - 1, denominator * times)


@given(thresholds(), st.integers(min_value=1, max_value=1000))
def test_needed_is_the_fewest_votes_that_meet_the_threshold(threshold: Threshold,
                                                            base: int) -> None:
    needed = threshold.needed(base)
    assert 1 <= needed <= base
    assert threshold.met(needed, base)
    assert not threshold.met(needed - 1, base)


@given(thresholds(), SIZES)
def test_nothing_meets_a_share_of_nobody(threshold: Threshold, votes: int) -> None:
    assert not threshold.met(votes, 0)


@given(fractions(), st.integers(min_value=1, max_value=50))
def test_a_quorum_is_met_exactly_at_its_fraction_and_not_one_member_below(
        fraction: tuple[int, int], times: int) -> None:
    numerator, denominator = fraction
    assert quorum_met(numerator * times, denominator * times, numerator, denominator)
    assert not quorum_met(numerator * times - 1, denominator * times, numerator, denominator)


# Empty polls and bases.

@given(st.sampled_from(PollKind), thresholds(), st.sampled_from(ShareBase), turnouts(),
       st.integers(min_value=0, max_value=5), st.integers(min_value=1, max_value=5))
def test_a_poll_without_ballots_never_passes(kind: PollKind, threshold: Threshold,
                                             base: ShareBase, turnout: Turnout, n_options: int,
                                             seats: int) -> None:
    empty = Turnout(turnout.members, turnout.present, 0)
    counts = yes_no(0, 0, 0) if kind == PollKind.YES_NO else options([0] * n_options)
    outcome = decide(kind, counts, empty, threshold, base, seats)
    assert (outcome.passed, outcome.chosen) == (False, ())


@given(turnouts())
def test_each_base_is_its_number_of_the_turnout(turnout: Turnout) -> None:
    assert [base_count(b, turnout) for b in (ShareBase.CAST, ShareBase.PRESENT,
                                              ShareBase.MEMBERS)] == [
        turnout.cast, turnout.present, turnout.members]


@given(thresholds(), st.sampled_from(ShareBase), yes_no_polls())
def test_a_yes_no_poll_passes_exactly_when_its_yes_votes_meet_the_share_of_its_base(
        threshold: Threshold, base: ShareBase, poll: tuple[int, int, int, Turnout]) -> None:
    yes, no, abstain, turnout = poll
    outcome = decide(PollKind.YES_NO, yes_no(yes, no, abstain), turnout, threshold, base)
    size = base_count(base, turnout)
    assert (outcome.base, outcome.deciding_votes, outcome.needed) == (
        size, yes, threshold.needed(size))
    assert outcome.passed == threshold.met(yes, size)
    assert outcome.chosen == ((1,) if outcome.passed else ())


# Choices and elections.

@given(thresholds(), st.sampled_from(ShareBase), elections())
def test_a_choice_chooses_one_option_at_most_whatever_the_seats(
        threshold: Threshold, base: ShareBase, election: tuple[list[int], Turnout, int]) -> None:
    votes, turnout, seats = election
    outcome = decide(PollKind.CHOICE, options(votes, OptionRole.CHOICE), turnout, threshold,
                     base, seats)
    assert len(outcome.chosen) <= 1


@given(thresholds(), st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8),
       st.integers(min_value=0, max_value=200))
def test_a_tie_at_the_top_of_a_choice_decides_nothing(
        threshold: Threshold, votes: list[int], extra: int) -> None:
    top = max(votes)
    votes = [*votes, top]
    turnout = Turnout(sum(votes) + extra, sum(votes) + extra, sum(votes))
    for base in ShareBase:
        outcome = decide(PollKind.CHOICE, options(votes, OptionRole.CHOICE), turnout,
                         threshold, base)
        assert (outcome.passed, outcome.chosen) == (False, ())
        assert outcome.tie == threshold.met(top, base_count(base, turnout))


@given(thresholds(), st.sampled_from(ShareBase), elections())
def test_an_election_elects_those_who_meet_the_share_and_fit_in_the_seats_untied(
        threshold: Threshold, base: ShareBase, election: tuple[list[int], Turnout, int]) -> None:
    votes, turnout, seats = election
    outcome = decide(PollKind.ELECTION, options(votes), turnout, threshold, base, seats)
    size = base_count(base, turnout)
    # Elected: meets the share, and at most ``seats`` candidates have as many votes or more.
    expected = {i for i, v in enumerate(votes, start=1)
                if threshold.met(v, size) and sum(w >= v for w in votes) <= seats}
    assert set(outcome.chosen) == expected
    assert len(outcome.chosen) <= seats
    assert outcome.passed == bool(expected)


@given(thresholds(), st.sampled_from(ShareBase), elections())
def test_nobody_is_elected_below_the_share_nor_ahead_of_someone_with_more_votes(
        threshold: Threshold, base: ShareBase, election: tuple[list[int], Turnout, int]) -> None:
    votes, turnout, seats = election
    outcome = decide(PollKind.ELECTION, options(votes), turnout, threshold, base, seats)
    size = base_count(base, turnout)
    elected = set(outcome.chosen)
    for winner in elected:
        assert threshold.met(votes[winner - 1], size)
        assert all(votes[winner - 1] > v for i, v in enumerate(votes, start=1)
                   if i not in elected)


@st.composite
def tied_for_the_last_seat(draw: st.DrawFn) -> tuple[Threshold, ShareBase, list[int], Turnout,
                                                    int]:
    """An election where candidates that meet the share tie for the last seat."""
    threshold, base = draw(thresholds()), draw(st.sampled_from(ShareBase))
    cast = draw(st.integers(min_value=1, max_value=60))
    turnout = Turnout(cast + draw(st.integers(0, 20)), cast, cast)
    size = base_count(base, turnout)
    last = draw(st.integers(min_value=threshold.needed(size), max_value=max(
        threshold.needed(size), cast)))
    seats = draw(st.integers(min_value=1, max_value=5))
    above = draw(st.lists(st.integers(min_value=last + 1, max_value=last + 30),
                          max_size=seats - 1)) if last < cast else []
    tied = [last] * draw(st.integers(min_value=seats - len(above) + 1, max_value=seats + 3))
    below = draw(st.lists(st.integers(min_value=0, max_value=last), max_size=4))
    votes = draw(st.permutations([*above, *tied, *below]))
    return threshold, base, votes, turnout, seats


@given(tied_for_the_last_seat())
def test_a_tie_for_the_last_seat_gives_it_to_none_of_the_tied(
        election: tuple[Threshold, ShareBase, list[int], Turnout, int]) -> None:
    threshold, base, votes, turnout, seats = election
    size = base_count(base, turnout)
    qualified = sorted((v for v in votes if threshold.met(v, size)), reverse=True)
    last = qualified[seats - 1]
    outcome = decide(PollKind.ELECTION, options(votes), turnout, threshold, base, seats)
    assert outcome.tie
    assert not any(votes[i - 1] == last for i in outcome.chosen)
    assert len(outcome.chosen) == sum(v > last for v in qualified) < seats


# As the law states it.

def test_nine_of_seventeen_members_is_more_than_half() -> None:
    assert MORE_THAN_HALF.met(9, 17) and MORE_THAN_HALF.needed(17) == 9
    assert not MORE_THAN_HALF.met(8, 17)


def test_a_resolution_with_8_yes_of_17_members_fails_even_if_only_10_voted() -> None:
    counts, turnout = yes_no(8, 2, 0), Turnout(members=17, present=12, cast=10)
    outcome = decide(PollKind.YES_NO, counts, turnout, MORE_THAN_HALF, ShareBase.MEMBERS)
    assert (outcome.passed, outcome.base, outcome.needed, outcome.deciding_votes) == (
        False, 17, 9, 8)
    # The same ballots pass when the share is of the votes cast.
    assert decide(PollKind.YES_NO, counts, turnout, MORE_THAN_HALF, ShareBase.CAST).passed


def test_five_yes_of_ten_votes_cast_is_not_more_than_half() -> None:
    outcome = decide(PollKind.YES_NO, yes_no(5, 5, 0), Turnout(17, 12, 10), MORE_THAN_HALF,
                     ShareBase.CAST)
    assert (outcome.passed, outcome.needed) == (False, 6)


def test_an_abstention_is_a_vote_cast_that_is_not_a_yes() -> None:
    outcome = decide(PollKind.YES_NO, yes_no(6, 4, 3), Turnout(17, 14, 13), MORE_THAN_HALF,
                     ShareBase.CAST)
    assert (outcome.passed, outcome.base, outcome.needed) == (False, 13, 7)


def test_the_committee_of_seventeen_meets_with_twelve_present_not_eleven() -> None:
    assert quorum_met(12, 17, 2, 3)
    assert not quorum_met(11, 17, 2, 3)


def test_ten_of_fifteen_is_two_thirds_and_nine_is_not() -> None:
    assert TWO_THIRDS.met(10, 15) and TWO_THIRDS.needed(15) == 10
    assert not TWO_THIRDS.met(9, 15)


def test_three_seats_with_a_tie_for_the_third_elect_two() -> None:
    # 12 voters, more than half of them (7) needed; the two with 7 tie for the third seat.
    outcome = decide(PollKind.ELECTION, options([10, 9, 7, 7, 2]), Turnout(15, 12, 12),
                     MORE_THAN_HALF, ShareBase.CAST, seats=3)
    assert (outcome.chosen, outcome.tie, outcome.passed) == ((1, 2), True, True)


def test_two_options_tied_at_the_top_choose_neither() -> None:
    outcome = decide(PollKind.CHOICE, options([6, 6, 1], OptionRole.CHOICE), Turnout(15, 13, 13),
                     threshold_of(Majority.CUSTOM, 1, 3), ShareBase.CAST)
    assert (outcome.passed, outcome.chosen, outcome.tie) == (False, (), True)


def test_the_leading_option_below_the_share_is_not_chosen() -> None:
    outcome = decide(PollKind.CHOICE, options([6, 4, 3], OptionRole.CHOICE), Turnout(15, 13, 13),
                     MORE_THAN_HALF, ShareBase.CAST)
    assert (outcome.passed, outcome.chosen, outcome.deciding_votes) == (False, (), 6)
