"""The bridge bench's pre-encoded publisher behaves like an encoder: it starts with a
keyframe and sends one again only when asked."""

from __future__ import annotations

from bench.bridge import ClipTrack, encode_video
from server.bridge.forwarding import is_keyframe


async def test_the_clip_answers_a_keyframe_request_with_its_keyframe() -> None:
    clip = encode_video(160, 120, 30, 6, 50_000)
    track = ClipTrack("video", clip)
    frames = [bytes(await track.recv()) for _ in range(4)]
    track.request_keyframe()
    frames.append(bytes(await track.recv()))
    assert [is_keyframe("VP8", f) for f in frames] == [True, False, False, False, True]
