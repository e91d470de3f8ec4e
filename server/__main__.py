"""Command line: ``python -m server <command>``.

    serve         serve HTTP and Socket.IO (refuses an unmigrated database)
    migrate       bring the database schema up to date
    demo          load the Vietnamese demo into an empty database
    create-user   add a user (asks for the password)
    create-token  issue a bearer token for a machine (room agent, integration)
    signing-key   say where a signer's key is (a PKCS#12 file or a PKCS#11 token)
    audit verify  check the audit log's hash chain (exit 1 and the first broken entry)
    dev-pki DIR   write a throwaway CA, signers, a timestamp authority and a CRL
                  (development and tests only)
    bridge        run a video bridge worker (an SFU, one process a core; docs/video.md)

Every command reads the same settings (``--config FILE``, then ``PHONGHOP_*``).
A wrong setting or argument ends with one line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from .fonts import FontMissing
from .settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

EXIT_USAGE = 2
T = TypeVar("T")


class CommandError(Exception):
    """A failure the operator can fix; ``str()`` is the one line to show."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server", description="Phòng Họp server")
    parser.add_argument("--config", metavar="FILE", help="TOML file over config/default.toml")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve HTTP and Socket.IO")
    serve.add_argument("--host", help="override server.host")
    serve.add_argument("--port", type=int, help="override server.port")
    serve.add_argument("--prepare", action="store_true",
                       help="migrate, and load the demo if the database is empty, before serving")

    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("demo", help="load the Vietnamese demo into an empty database")

    user = commands.add_parser("create-user", help="add a user")
    user.add_argument("username")
    user.add_argument("--full-name", required=True)
    user.add_argument("--title", default="")
    user.add_argument("--admin", action="store_true")
    user.add_argument("--secretary", action="store_true")
    user.add_argument("--locale", default="vi", choices=["vi", "en"])

    token = commands.add_parser("create-token", help="issue a bearer token for a machine")
    token.add_argument("username")
    token.add_argument("--name", required=True, help="what the token is for, e.g. 'room agent'")

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check the hash chain; exit 1 and name the first broken entry")
    verify.add_argument("--anchor", metavar="SEQ:HASH",
                        help="a seq and hash printed by an earlier verify: the chain must still "
                             "hold it")

    pki = commands.add_parser(
        "dev-pki", help="write a throwaway CA, signer keys, a timestamp authority and a CRL "
                        "(development and tests only)")
    pki.add_argument("outdir", metavar="OUTDIR")
    pki.add_argument("--passphrase", default=None,
                     help="passphrase of the .p12 files (default: phonghop-dev)")

    key = commands.add_parser("signing-key", help="say where a signer's key is (never the key)")
    key.add_argument("username", nargs="?", help="the signer; or --unit for a unit's seal")
    key.add_argument("--unit", type=int, metavar="UNIT_ID", help="the unit whose seal it is")
    key.add_argument("--pkcs12", metavar="FILE", help="an encrypted PKCS#12 file")
    key.add_argument("--pkcs11-module", default="", metavar="LIB",
                     help="the token's PKCS#11 library")
    key.add_argument("--token-label", default="")
    key.add_argument("--key-label", default="")
    key.add_argument("--image", metavar="PNG", help="the handwritten signature or seal image")

    bridge = commands.add_parser("bridge", help="run a video bridge worker (docs/video.md)")
    bridge.add_argument("--port", type=int, required=True, help="port of its internal HTTP API")
    bridge.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; any other needs "
                             "bridge.secret)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
        if args.command == "serve" and (args.host or args.port):
            settings = load_settings(args.config, overrides={"server": {
                k: v for k, v in (("host", args.host), ("port", args.port)) if v}})
        from .logs import configure_logging

        configure_logging(settings.logging)
        return COMMANDS[args.command](settings, args)
    except (SettingsError, CommandError, FontMissing) as e:
        print(e, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def cmd_migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from .db import migrate

    migrate(settings.database.url)
    print("Đã cập nhật cấu trúc cơ sở dữ liệu / Database schema is up to date.")
    return 0


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from .demo import load_demo_into, print_accounts

    if asyncio.run(_ensure_migrated_then(settings, load_demo_into(settings))):
        print_accounts(settings)
    else:
        print("Cơ sở dữ liệu đã có dữ liệu; không nạp dữ liệu mẫu. / "
              "The database is not empty; the demo was not loaded.")
    return 0


def _prepare(settings: Settings, args: argparse.Namespace) -> None:
    """``make run``: migrate, load the demo into an empty database, list its accounts."""
    from .demo import demo_present, load_demo_into, print_accounts

    cmd_migrate(settings, args)
    loaded = asyncio.run(load_demo_into(settings))
    if loaded or asyncio.run(demo_present(settings)):
        print_accounts(settings)


async def _check_schema(settings: Settings) -> None:
    from .db import create_engine, schema_state

    engine = create_engine(settings.database.url)
    try:
        state = await schema_state(engine)
    except Exception as e:
        raise CommandError(
            f"Không kết nối được cơ sở dữ liệu / Cannot reach the database: {e}") from None
    finally:
        await engine.dispose()
    if not state.up_to_date:
        raise CommandError(
            "Cơ sở dữ liệu chưa được cập nhật cấu trúc. Hãy chạy: python -m server migrate / "
            "The database schema is not up to date. Run: python -m server migrate")


async def _ensure_migrated_then(settings: Settings, coro: Coroutine[Any, Any, T]) -> T:
    try:
        await _check_schema(settings)
    except CommandError:
        coro.close()
        raise
    return await coro


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from .app import create_app

    if args.prepare:
        _prepare(settings, args)
    asyncio.run(_check_schema(settings))
    host, port = settings.server.host, settings.server.port
    logging.getLogger("phonghop").info("serving on http://%s:%s", host, port)
    print(f"Phòng Họp: http://{host}:{port}  (Ctrl+C để dừng / to stop)", flush=True)
    app = create_app(settings)
    app.on_startup.append(_freeze_heap)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0


async def _freeze_heap(_app: Any) -> None:
    """Move what start-up made (modules, mappers, templates: tens of thousands of objects
    that live as long as the process) out of the collector's view. A full collection
    then no longer walks them, and its pause, which the live bench saw hold the event
    loop for a fifth of a second while 500 tablets waited for a page, gets short."""
    import gc

    gc.collect()
    gc.freeze()


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    password = getpass.getpass("Mật khẩu / Password: ")
    if len(password) < 8:
        raise CommandError("Mật khẩu phải có ít nhất 8 ký tự / The password needs 8 characters")
    if getpass.getpass("Nhập lại / Again: ") != password:
        raise CommandError("Hai mật khẩu không khớp / The passwords differ")

    async def run() -> None:
        from .auth import service
        from .auth.passwords import Passwords

        async with _session(settings) as db:
            await service.create_user(
                db, Passwords(settings.auth), username=args.username,
                full_name=args.full_name, title=args.title, password=password,
                locale=args.locale, is_admin=args.admin, is_secretary=args.secretary)
            await db.commit()

    _run_db(settings, run())
    print(f"Đã tạo người dùng / Created user {args.username}")
    return 0


def cmd_create_token(settings: Settings, args: argparse.Namespace) -> int:
    async def run() -> str:
        from sqlalchemy import select

        from .auth import service
        from .auth.models import User

        async with _session(settings) as db:
            name = service.normalise_username(args.username)
            user = await db.scalar(select(User).where(User.username == name))
            if user is None:
                raise CommandError(f"Không có người dùng / No such user: {args.username}")
            secret, _token = await service.issue_token(db, user, args.name)
            await db.commit()
            return secret

    secret = _run_db(settings, run())
    print(secret)
    print("Hãy lưu mã này ngay: không thể xem lại. / Keep this token now: it is not shown again.",
          file=sys.stderr)
    return 0


AUDIT_REASONS = {
    "missing": ("mục này không còn", "the entry is missing"),
    "link": ("không nối với mục trước", "it does not link to the entry before it"),
    "hash": ("nội dung hoặc mã băm đã bị thay đổi", "its content or hash was changed"),
    "anchor": ("mã băm khác mã đã lưu", "its hash differs from the anchor"),
}


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    """``audit verify``: exit 0 when the chain holds, 1 when it is broken."""
    from .audit.service import VerifyResult, verify

    anchor = _anchor(args.anchor) if args.anchor else None

    async def run() -> VerifyResult:
        async with _session(settings) as db:
            return await verify(db, anchor=anchor)

    result = _run_db(settings, run())
    if result.ok:
        print(f"Nhật ký kiểm toán nguyên vẹn: {result.entries} mục, mã cuối "
              f"{result.entries}:{result.last_hash} / Audit log intact: {result.entries} "
              f"entries, last {result.entries}:{result.last_hash}")
        return 0
    vi, en = AUDIT_REASONS[result.reason]
    print(f"Nhật ký kiểm toán bị sửa từ mục số {result.first_broken} ({vi}) / "
          f"Audit log broken at entry {result.first_broken} ({en})")
    return 1


def _anchor(value: str) -> tuple[int, str]:
    seq, _, digest = value.partition(":")
    if not (seq.isdigit() and int(seq) > 0 and len(digest) == 64
            and all(c in "0123456789abcdefABCDEF" for c in digest)):
        raise CommandError("Mốc phải có dạng SỐ:MÃ_BĂM (64 ký tự hex) / "
                           f"The anchor must be SEQ:HASH (64 hex digits): {value}")
    return int(seq), digest.lower()


def cmd_dev_pki(_settings: Settings, args: argparse.Namespace) -> int:
    """``dev-pki OUTDIR``: keys and certificates that must never sign a real minutes."""
    from pathlib import Path

    from .minutes.pki import DEV_ONLY, DEV_PASSPHRASE, write_dev_pki

    passphrase = args.passphrase or DEV_PASSPHRASE
    banner = "!" * 78
    print(f"{banner}\n{DEV_ONLY}\n{banner}", file=sys.stderr)
    try:
        pki = write_dev_pki(Path(args.outdir), passphrase)
    except OSError as e:
        raise CommandError(f"Không ghi được / Cannot write {args.outdir}: {e}") from None
    for path in pki.written:
        print(path)
    print(f"Mật khẩu .p12 / .p12 passphrase: {passphrase}\n"
          f"Dùng thử / To try it: PHONGHOP_SIGNING_DEV_PKI={args.outdir}\n{DEV_ONLY}",
          file=sys.stderr)
    return 0


@asynccontextmanager
async def _session(settings: Settings) -> AsyncIterator[AsyncSession]:
    from .db import create_engine, session_factory

    engine = create_engine(settings.database.url)
    try:
        async with session_factory(engine)() as db:
            yield db
    finally:
        await engine.dispose()


def _run_db(settings: Settings, coro: Coroutine[Any, Any, T]) -> T:
    from sqlalchemy.exc import IntegrityError

    try:
        return asyncio.run(_ensure_migrated_then(settings, coro))
    except IntegrityError:
        raise CommandError("Đã tồn tại / Already exists") from None


def cmd_signing_key(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from .documents.store import DocumentStore
    from .minutes.keys import KeyPlace, KeyRegistrationError, register_key

    image = Path(args.image).read_bytes() if args.image and Path(args.image).is_file() else None
    if args.image and image is None:
        raise CommandError(f"Không có tệp / No such file: {args.image}")
    place = KeyPlace(pkcs12=Path(args.pkcs12) if args.pkcs12 else None,
                     pkcs11_module=args.pkcs11_module, token_label=args.token_label,
                     key_label=args.key_label, image=image)

    async def run() -> None:
        async with _session(settings) as db:
            try:
                await register_key(db, DocumentStore(settings.documents.store), place,
                                   username=args.username, unit_id=args.unit)
            except KeyRegistrationError as error:
                raise CommandError(str(error)) from None
            await db.commit()

    _run_db(settings, run())
    print("Đã ghi nơi đặt khóa ký / Signing key registered")
    return 0


def cmd_bridge(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from .bridge.forwarding import HookBroken
    from .bridge.worker import ConfigError, create_worker_app

    try:
        app = create_worker_app(settings.bridge, host=args.host, port=args.port)
    except (ConfigError, HookBroken) as e:
        raise CommandError(str(e)) from None
    logging.getLogger("phonghop.bridge").info("bridge worker on http://%s:%s, codec %s",
                                              args.host, args.port, settings.bridge.codec)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)
    return 0


COMMANDS = {
    "serve": cmd_serve,
    "migrate": cmd_migrate,
    "demo": cmd_demo,
    "create-user": cmd_create_user,
    "create-token": cmd_create_token,
    "audit": cmd_audit,
    "dev-pki": cmd_dev_pki,
    "signing-key": cmd_signing_key,
    "bridge": cmd_bridge,
}

if __name__ == "__main__":
    sys.exit(main())
