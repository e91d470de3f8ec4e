"""One endpoint on the worker: its :class:`Peer`, the peer connection built with the
transceivers of docs/video.md in order and hooked for forwarding, and its closing.

#0 main video (the endpoint's camera comes in, the main video goes out), #1 audio
likewise, #2 the endpoint's thumbnail (in), #3… thumbnails of other rooms (out), those
beyond the endpoint's number of thumbnails answered ``inactive``. Every receiver hands its encoded
frames to a :class:`Publication` (never a decoder) and every sender relays keyframe
requests to the publisher it is fed from (forwarding.py). The meeting's codec is forced
on every transceiver; which media the offer has was checked by the SFU beforehand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpReceiver,
    RTCRtpTransceiver,
)

from .forwarding import ForwardTrack, Publication, forward_receiver, relay_keyframe_requests


@dataclass(eq=False)
class Peer:
    peer_id: str
    name: str
    pc: RTCPeerConnection
    main_video: Publication
    audio: Publication
    thumbnail: Publication | None
    out_video: ForwardTrack
    out_audio: ForwardTrack
    out_thumbnails: list[ForwardTrack]
    muted: bool = False
    # Peer ids shown in each thumbnail slot (None: empty).
    slots: list[str | None] = field(default_factory=list)
    # kbit/s its link carries of what the bridge sends it; None or 0: no limit.
    budget_kbps: int | None = None
    # The main video and sound alone exceed the budget (logged once when it starts).
    over_budget: bool = False

    @property
    def state(self) -> str:
        return str(self.pc.connectionState)

    @property
    def publications(self) -> tuple[Publication, ...]:
        return tuple(p for p in (self.main_video, self.audio, self.thumbnail) if p is not None)

    @property
    def tracks(self) -> tuple[ForwardTrack, ...]:
        return (self.out_video, self.out_audio, *self.out_thumbnails)

    def sent_kbps(self) -> float | None:
        """What the bridge sent this endpoint lately, headers included; None at first."""
        rates = [r for r in (t.rate.wire_kbps() for t in self.tracks) if r is not None]
        return sum(rates) if rates else None


def codec_preferences(kind: str, codec: str) -> list[Any]:
    names = {f"{kind}/opus"} if kind == "audio" else {f"video/{codec}".lower(), "video/rtx"}
    return [c for c in RTCRtpReceiver.getCapabilities(kind).codecs
            if c.mimeType.lower() in names]


def build_peer(peer_id: str, name: str, media: list[Any], codec: str, thumbnails: int,
                ice_servers: list[RTCIceServer], budget_kbps: int | None = None) -> Peer:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=ice_servers))
    label = name or peer_id
    main_video = Publication("video", f"{label}/main")
    audio = Publication("audio", f"{label}/audio")
    out_video = ForwardTrack("video", f"{label}<main")
    out_audio = ForwardTrack("audio", f"{label}<audio")

    def add(track_or_kind: Any, direction: str) -> RTCRtpTransceiver:
        transceiver = pc.addTransceiver(track_or_kind, direction=direction)
        transceiver.setCodecPreferences(codec_preferences(transceiver.kind, codec))
        return transceiver

    video = add(out_video, "sendrecv")
    sound = add(out_audio, "sendrecv")
    forward_receiver(video.receiver, main_video)
    forward_receiver(sound.receiver, audio)
    relay_keyframe_requests(video.sender, out_video)
    thumbnail = None
    if len(media) > 2:
        thumbnail = Publication("video", f"{label}/thumbnail")
        forward_receiver(add("video", "recvonly").receiver, thumbnail)
    out_thumbnails = []
    for i in range(len(media) - 3):
        if i < thumbnails:
            track = ForwardTrack("video", f"{label}<thumbnail{i}")
            relay_keyframe_requests(add(track, "sendonly").sender, track)
            out_thumbnails.append(track)
        else:
            add("video", "inactive")  # offered beyond what it may have: left unused
    return Peer(peer_id, name, pc, main_video, audio, thumbnail, out_video, out_audio,
                out_thumbnails, slots=[None] * len(out_thumbnails), budget_kbps=budget_kbps)


async def close_peer(peer: Peer) -> None:
    for track in peer.tracks:
        track.stop()
    try:
        await peer.pc.close()
    finally:
        for publication in peer.publications:
            await publication.close()
