"""Registering where a signer's key is: a person's (chair, secretary) or a unit's seal.

Only the location is kept — the path of an encrypted PKCS#12 file on the server, or
a token's PKCS#11 module and labels — never a key, a PIN or a passphrase: those
are typed at each signature. The handwritten signature or seal image, if given,
goes into the document store by hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.models import User
from ..documents.store import DocumentStore
from ..meetings.models import Unit
from .models import KeyKind, SigningKey


class KeyRegistrationError(ValueError):
    """A registration that cannot stand; ``str()`` is the line the command prints."""


@dataclass(frozen=True)
class KeyPlace:
    pkcs12: Path | None = None
    pkcs11_module: str = ""
    token_label: str = ""
    key_label: str = ""
    image: bytes | None = None


async def register_key(db: AsyncSession, store: DocumentStore, place: KeyPlace, *,
                       username: str | None = None, unit_id: int | None = None) -> SigningKey:
    if (username is None) == (unit_id is None):
        raise KeyRegistrationError("Cần đúng một trong: tên người dùng hoặc --unit / "
                        "Give exactly one of: a user name or --unit")
    if place.pkcs12 is None and not (place.pkcs11_module and place.token_label):
        raise KeyRegistrationError("Cần --pkcs12 TỆP hoặc --pkcs11-module và --token-label / "
                        "Give --pkcs12 FILE, or --pkcs11-module and --token-label")
    if place.pkcs12 is not None and not place.pkcs12.is_file():
        raise KeyRegistrationError(f"Không có tệp / No such file: {place.pkcs12}")
    if place.image is not None and not place.image.startswith(b"\x89PNG\r\n\x1a\n"):
        raise KeyRegistrationError("Ảnh chữ ký phải là tệp PNG / The signature image must be a PNG")
    owner: dict[str, int] = {}
    if username is not None:
        user = await db.scalar(select(User).where(User.username == username))
        if user is None:
            raise KeyRegistrationError(f"Không có người dùng / No such user: {username}")
        owner["user_id"] = user.id
    else:
        if await db.get(Unit, unit_id) is None:
            raise KeyRegistrationError(f"Không có đơn vị / No such unit: {unit_id}")
        owner["unit_id"] = unit_id or 0
    key = await db.scalar(select(SigningKey).filter_by(**owner)) or SigningKey(**owner)
    key.kind = KeyKind.PKCS12 if place.pkcs12 is not None else KeyKind.PKCS11
    key.pkcs12_path = str(place.pkcs12.resolve()) if place.pkcs12 is not None else ""
    key.pkcs11_module, key.token_label = place.pkcs11_module, place.token_label
    key.key_label = place.key_label
    key.image_sha256 = store.put(place.image) if place.image is not None else None
    db.add(key)
    await db.flush()
    return key
