"""Who may manage the organisation, and who may read it.

Administrators change everything. Global secretaries (``is_secretary``) read
units and rooms and search people, since preparing a meeting means choosing
them; everyone else signed in gets 403, and a request without a login 401.
"""

from __future__ import annotations

from aiohttp import web

from ..auth.identity import page_user, require_user
from ..auth.models import User
from ..errors import Forbidden


def require_admin(request: web.Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden()
    return user


def require_directory_reader(request: web.Request) -> User:
    user = require_user(request)
    if not (user.is_admin or user.is_secretary):
        raise Forbidden()
    return user


def admin_page_user(request: web.Request) -> User:
    """For pages: signed out goes to the login page (and comes back); others get the 403 page."""
    user = page_user(request)
    if not user.is_admin:
        raise Forbidden()
    return user

