"""Votes (biểu quyết): polls, ballots, tally rules, quorum."""
