"""The room agent: the small program in every district room (điểm cầu) and in the hall.

It publishes the room's camera and microphone (or a test pattern and tone) to the
meeting's video bridge, shows or records what the bridge sends, reports its health
in heartbeats, obeys mute, unmute and reconnect, and comes back by itself when the
server, the bridge or the network goes away. docs/room-agent.md describes it;
docs/video.md is the contract it follows.
"""
