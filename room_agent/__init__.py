"""The room agent: the small program in every district room (điểm cầu).

So far it authenticates with the room's token and reports who it is; the video
bridge issue adds the camera, microphone, screen and reconnection.
"""
