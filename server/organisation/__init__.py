"""The organisation: units in a tree, rooms, and the people who belong to units.

The tables stay where the schema put them (``Unit`` and ``Room`` in
:mod:`server.meetings.models`, ``User`` in :mod:`server.auth.models`); this area
holds the rules for managing them (:mod:`.units`, :mod:`.rooms`, :mod:`.users`),
the accent-insensitive people search secretaries use (:mod:`.search`), the JSON
API and the administrator's pages.
"""
