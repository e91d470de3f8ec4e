"""Realtime: the Socket.IO server, its rooms, and broadcasts to connected clients."""
