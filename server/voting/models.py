"""Tables of votes: polls and their options, who voted, and what was voted.

What was voted is kept in one of two ways. A named poll (biểu quyết công khai)
keeps each voter's choice beside their name. A secret poll (bỏ phiếu kín) keeps
only counts per option, raised in the same transaction that records that the
voter has voted: there is no ballot row, so no id, order or time can tie a
choice to a voter, whoever reads the database.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow, value_enum


class PollKind(enum.StrEnum):
    YES_NO = "yes_no"            # Tán thành / Không tán thành / Không biểu quyết
    CHOICE = "choice"            # one option among several
    ELECTION = "election"        # bầu cử: candidates, up to max_selections each


class PollStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Majority(enum.StrEnum):
    MORE_THAN_HALF = "more_than_half"  # quá nửa: strictly more than 1/2
    TWO_THIRDS = "two_thirds"          # ít nhất hai phần ba: 2/3 or more
    CUSTOM = "custom"                  # at least numerator/denominator


class ShareBase(enum.StrEnum):
    """What the share is of."""

    CAST = "cast"          # votes cast (abstentions included)
    PRESENT = "present"    # members with a voting right present
    MEMBERS = "members"    # all members with a voting right


class OptionRole(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    CHOICE = "choice"
    CANDIDATE = "candidate"


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[PollKind] = mapped_column(value_enum(PollKind, "poll_kind"))
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    max_selections: Mapped[int] = mapped_column(Integer, default=1)
    # A named poll may let voters change their mind until it closes; a secret one cannot,
    # as nothing says which count a voter's earlier choice went to.
    allow_change: Mapped[bool] = mapped_column(Boolean, default=False)
    majority: Mapped[Majority] = mapped_column(value_enum(Majority, "poll_majority"),
                                               default=Majority.MORE_THAN_HALF)
    numerator: Mapped[int] = mapped_column(Integer, default=1)
    denominator: Mapped[int] = mapped_column(Integer, default=2)
    base: Mapped[ShareBase] = mapped_column(value_enum(ShareBase, "poll_base"),
                                            default=ShareBase.MEMBERS)
    # At least this share of all members present before it may open (quorum; the
    # People's Committee meets with two thirds of its members).
    quorum_numerator: Mapped[int] = mapped_column(Integer, default=2)
    quorum_denominator: Mapped[int] = mapped_column(Integer, default=3)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[PollStatus] = mapped_column(value_enum(PollStatus, "poll_status"),
                                               default=PollStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Frozen at closing: the numbers the rule was applied to.
    members: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[int | None] = mapped_column(Integer)

    options: Mapped[list[PollOption]] = relationship(
        order_by="PollOption.position", lazy="selectin", cascade="all, delete-orphan")


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[OptionRole] = mapped_column(value_enum(OptionRole, "option_role"))
    label: Mapped[str] = mapped_column(String(300))


class VoterRoll(Base):
    """That a participant has voted in a poll: never what.

    One row per voter and poll (the unique key is the guarantee against a second
    ballot); ``client_ballot_id`` is the tablet's id for the ballot, unique across all
    polls, so a retry gets the same answer and a replay on another poll is refused.
    """

    __tablename__ = "voter_rolls"
    __table_args__ = (UniqueConstraint("poll_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"))
    client_ballot_id: Mapped[str] = mapped_column(String(36), unique=True)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the chair recorded it from a show of hands in a remote room.
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))


class NamedChoice(Base):
    """What a voter chose in a named poll (several rows in an election)."""

    __tablename__ = "named_choices"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"),
                                         primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True)


class SecretCount(Base):
    """Votes for one option of a secret poll: a count, not a list of ballots."""

    __tablename__ = "secret_counts"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"),
                                         primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True)
    votes: Mapped[int] = mapped_column(Integer, default=0)
