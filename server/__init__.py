"""Phòng Họp: the meeting server (HTTP, Socket.IO, documents, votes, minutes)."""
