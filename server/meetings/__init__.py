"""Units, rooms, meetings, participants, attendance, agenda and speakers."""
