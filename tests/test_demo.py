"""The Vietnamese demo: who it creates, when it refuses, and that its documents are real PDFs."""

from __future__ import annotations

import hashlib
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.models import User
from server.auth.passwords import Passwords
from server.auth.service import create_user
from server.demo import DEMO_USERNAMES, load_demo, print_accounts
from server.demo.documents import DOCUMENTS
from server.demo.organisation import VIETNAM, next_weekday_at
from server.documents.models import DocumentVersion
from server.documents.store import DocumentStore
from server.meetings.models import AgendaItem, Meeting, Participant
from server.settings import Settings, load_settings

Sessions = async_sessionmaker[AsyncSession]


def nfc_words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


async def test_demo_creates_every_demo_account_with_the_demo_password(
    demo: None, sessions: Sessions, passwords: Passwords, settings: Settings
) -> None:
    async with sessions() as db:
        users = {u.username: u for u in await db.scalars(select(User))}
    assert set(users) == set(DEMO_USERNAMES)
    # Every account, not a sample: they share one hash, and that sharing must reach them all.
    for user in users.values():
        assert await passwords.verify(user.password_hash, settings.demo.password), user.username


async def test_demo_is_loaded_only_into_an_empty_database(
    sessions: Sessions, passwords: Passwords, settings: Settings
) -> None:
    async with sessions() as db:
        await create_user(db, passwords, username="quantri", full_name="Người quản trị",
                          password="mật khẩu dài")
        await db.commit()
    store = DocumentStore(settings.documents.store)
    loaded = await load_demo(sessions, passwords, store, settings.demo.password)
    async with sessions() as db:
        meetings = await db.scalar(select(func.count()).select_from(Meeting))
    assert (loaded, meetings) == (False, 0)


async def test_loading_the_demo_twice_changes_nothing(
    demo: None, sessions: Sessions, passwords: Passwords, settings: Settings
) -> None:
    store = DocumentStore(settings.documents.store)
    assert not await load_demo(sessions, passwords, store, settings.demo.password)
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(User)) == len(DEMO_USERNAMES)


async def test_demo_meeting_has_a_tree_agenda(demo: None, sessions: Sessions) -> None:
    async with sessions() as db:
        items = list(await db.scalars(select(AgendaItem)))
    top = sorted(i.position for i in items if i.parent_id is None)
    children = {i.parent_id for i in items if i.parent_id is not None}
    assert top == [1, 2, 3, 4, 5]
    assert len(children) == 1
    assert sorted(i.position for i in items if i.parent_id in children) == [1, 2]


async def test_only_the_provincial_members_vote_in_the_demo_meeting(
    demo: None, sessions: Sessions
) -> None:
    async with sessions() as db:
        voters = set(await db.scalars(
            select(User.username).join(Participant, Participant.user_id == User.id)
            .where(Participant.voting_right)))
    assert voters == {"chutoa", *(f"daibieu{i:02d}" for i in range(1, 21))}


async def test_demo_meeting_starts_at_eight_on_a_working_day_in_vietnam(
    demo: None, sessions: Sessions
) -> None:
    async with sessions() as db:
        meeting = await db.scalar(select(Meeting))
    assert meeting is not None
    local = meeting.starts_at.astimezone(VIETNAM)
    assert (local.hour, local.minute, local.weekday() < 5) == (8, 0, True)


def test_a_meeting_asked_for_on_friday_is_put_on_monday() -> None:
    friday_evening = datetime(2026, 11, 20, 19, 0, tzinfo=VIETNAM)
    assert next_weekday_at(friday_evening, 8, 0) == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


async def _stored_documents(
    sessions: Sessions, settings: Settings
) -> list[tuple[DocumentVersion, Path]]:
    store = DocumentStore(settings.documents.store)
    async with sessions() as db:
        versions = list(await db.scalars(select(DocumentVersion)))
    return [(v, store.path_for(v.sha256)) for v in versions]


async def test_demo_documents_are_real_pdfs_with_vietnamese_text(
    demo: None, sessions: Sessions, settings: Settings
) -> None:
    documents = await _stored_documents(sessions, settings)
    assert len(documents) == 4
    for document, path in documents:
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == document.sha256
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert text.count("\f") == document.pages
        assert 2 <= document.pages <= 4
        source = next(d for d in DOCUMENTS if d.filename == document.filename)
        for phrase in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                       source.subject):
            assert nfc_words(phrase) in nfc_words(text)


async def test_demo_documents_embed_every_font(
    demo: None, sessions: Sessions, settings: Settings
) -> None:
    for _document, path in await _stored_documents(sessions, settings):
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()[2:]
        # Columns: name, type, encoding, emb, sub, uni, object, generation.
        assert listing and all(line.split()[-5] == "yes" for line in listing), listing


def test_the_account_list_never_shows_a_chosen_password(capsys: pytest.CaptureFixture[str]) -> None:
    print_accounts(load_settings(environ={}, overrides={"demo": {"password": "bí-mật-2026"}}))
    shown = capsys.readouterr().out
    assert "bí-mật-2026" not in shown and "PHONGHOP_DEMO_PASSWORD" in shown
