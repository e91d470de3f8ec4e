"""A room's link budget: how many thumbnails fit after the main video and sound.

The budget (kbit/s, the room's ``link_kbps``, from the server's offer) covers what the
bridge sends to that room. The main video and sound go whatever they cost (the floor
is the meeting); then the chosen thumbnails in ranking order while the measured
bitrates (forwarding.Rate, headers included) stay within it. A stream not measured yet
counts as its estimate, and a thumbnail not shown yet must fit with
:data:`ADD_HEADROOM` to spare, so that a rate near the edge does not add and drop it
at every tick.
"""

from __future__ import annotations

import logging

from .forwarding import Publication
from .peer import Peer

log = logging.getLogger("phonghop.bridge")

# A thumbnail not measured yet (its publisher just joined) counts as this much: a 160×120
# 5 fps VP8 stream of a room with people in it.
THUMBNAIL_ESTIMATE_KBPS = 60.0
# Likewise a main video and a sound not measured yet: aiortc's VP8 encoder starts at
# 500 kbit/s, its Opus at 96 kbit/s, plus packet headers.
MAIN_ESTIMATE_KBPS = 550.0
AUDIO_ESTIMATE_KBPS = 120.0
# A thumbnail not shown yet is added only if it fits in this share of the budget.
ADD_HEADROOM = 0.9


def rate_kbps(publication: Publication, estimate: float) -> float:
    """kbit/s forwarding ``publication`` takes of a link: measured, else ``estimate``."""
    measured = publication.rate.wire_kbps()
    return estimate if measured is None else measured


def thumbnails_that_fit(meeting_id: str, peer: Peer, main: Peer | None, wanted: list[Peer],
                        thumbnail_estimate_kbps: float = THUMBNAIL_ESTIMATE_KBPS) -> int:
    """How many of ``wanted`` (thumbnails in ranking order) fit in ``peer``'s budget
    after its main video and sound."""
    budget = peer.budget_kbps
    if not budget:
        return len(wanted)
    spent = 0.0
    if main is not None:
        spent += rate_kbps(main.main_video, MAIN_ESTIMATE_KBPS)
        if not main.audio.muted:
            spent += rate_kbps(main.audio, AUDIO_ESTIMATE_KBPS)
    if spent > budget:
        if not peer.over_budget:
            log.warning("meeting %s: the main video and sound to %s (%.0f kbit/s) exceed "
                        "its link budget of %d kbit/s: sent all the same, no thumbnails",
                        meeting_id, peer.peer_id, spent, budget)
        peer.over_budget = True
        return 0
    peer.over_budget = False
    fitting = 0
    for candidate in wanted:
        assert candidate.thumbnail is not None  # candidates have one
        cost = rate_kbps(candidate.thumbnail, thumbnail_estimate_kbps)
        room = budget if candidate.peer_id in peer.slots else budget * ADD_HEADROOM
        if spent + cost > room:
            break
        spent += cost
        fitting += 1
    return fitting
