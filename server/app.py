"""``create_app(settings)``: wires every area into one aiohttp application.

It reads like a table of contents: state, resources that open at start and
close at shutdown (cleanup contexts), pages, routes, Socket.IO, middlewares.
It holds no rules.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from .annotations.routes import routes as annotation_routes
from .auth.csrf import csrf_middleware
from .auth.identity import identity_middleware
from .auth.passwords import Passwords
from .auth.routes import routes as auth_routes
from .bridge import signalling as bridge_signalling
from .bridge.routes import routes as bridge_routes
from .db import create_engine, schema_state, session_factory
from .documents.routes import all_routes as document_routes
from .documents.store import DocumentStore
from .errors import MAX_BODY_MB, error_middleware
from .meetings import events as meeting_events
from .meetings.agenda_routes import routes as agenda_routes
from .meetings.live_pages import routes as live_pages
from .meetings.live_routes import routes as live_routes
from .meetings.live_state import SHARED_PARTS, SharedParts
from .meetings.pages import routes as meeting_pages
from .meetings.participant_routes import routes as participant_routes
from .meetings.routes import routes as meeting_routes
from .minutes.pages import routes as minutes_pages
from .minutes.routes import routes as minutes_routes
from .observability import request_middleware, setup_observability
from .organisation.routes import all_routes as organisation_routes
from .pages import setup_pages
from .proxy import proxy_middleware
from .realtime.fanout import fanout_context
from .realtime.presence import presence_context
from .realtime.server import SIO, create_sio
from .settings import ROOT, Settings
from .state import ENGINE, PASSWORDS, SESSIONS, SETTINGS, STORE
from .voting import events as voting_events
from .voting.routes import routes as voting_routes
from .voting.runtime import voting_context
from .web_routes import setup_static


class UnmigratedDatabase(RuntimeError):
    """The schema is behind the migrations; the message says what to run."""


async def database_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    engine = create_engine(settings.database.url, echo=settings.database.echo)
    try:
        state = await schema_state(engine)
        if not state.up_to_date:
            raise UnmigratedDatabase(
                "Cơ sở dữ liệu chưa được cập nhật cấu trúc (phiên bản "
                f"{state.current or 'trống'}, cần {state.head}). Hãy chạy: python -m server migrate"
                " / The database schema is not up to date "
                f"({state.current or 'empty'}, needs {state.head}). Run: python -m server migrate"
            )
        app[ENGINE] = engine
        app[SESSIONS] = session_factory(engine)
        yield
    finally:
        await engine.dispose()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        client_max_size=settings.server.max_body_mb * 1024 * 1024,
        middlewares=[
            proxy_middleware, request_middleware, error_middleware,
            identity_middleware, csrf_middleware,
        ],
    )
    app[SETTINGS] = settings
    app[MAX_BODY_MB] = settings.server.max_body_mb
    app[PASSWORDS] = Passwords(settings.auth)
    app[STORE] = DocumentStore(settings.documents.store)
    app[SHARED_PARTS] = SharedParts()

    app.cleanup_ctx.append(database_context)
    app.cleanup_ctx.append(fanout_context)
    app.cleanup_ctx.append(presence_context)
    app.cleanup_ctx.append(voting_context)
    bridge_signalling.setup_bridge(app)

    setup_pages(app)
    setup_observability(app)
    app.router.add_routes(auth_routes)
    app.router.add_routes(meeting_routes)
    app.router.add_routes(participant_routes)
    app.router.add_routes(agenda_routes)
    app.router.add_routes(document_routes)
    app.router.add_routes(meeting_pages)
    app.router.add_routes(live_routes)
    app.router.add_routes(live_pages)
    app.router.add_routes(annotation_routes)
    app.router.add_routes(voting_routes)
    app.router.add_routes(minutes_routes)
    app.router.add_routes(bridge_routes)
    app.router.add_routes(minutes_pages)
    app.router.add_routes(organisation_routes())
    setup_static(app, ROOT / "web")
    app[SIO] = create_sio(
        app, [meeting_events.table, voting_events.table, bridge_signalling.table])
    return app
