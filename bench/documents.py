"""Documents bench: downloads by aiohttp and by nginx, stamping, board packs.

Run by ``python -m bench`` against its server (demo loaded), and printed as a
second table:

- 200 concurrent downloads of one 20 MB PDF on loopback from the server itself
  (aiohttp FileResponse, sendfile): aggregate MB/s and time to first byte;
- the same through nginx where ``/usr/sbin/nginx`` exists: nginx in front of a
  second server process with ``documents.accel_redirect`` set, so every request
  still has its access check in Python and nginx sends the bytes; and nginx
  serving the store folder directly (no check at all) as the upper bound. The
  ratio to aiohttp is printed;
- stamping a 50-page confidential document for one reader;
- building the board pack of a 300-page meeting.

The downloading client is one Python process on the same machine, so on a small
machine it competes with the server for the cores: the figures are a floor.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
NGINX = Path("/usr/sbin/nginx")
FILE_MB = 20
DOWNLOADS = 200

HEADER = (
    "| documents                           | conc | reqs | errs |    MB/s | TTFB p50 ms"
    " | TTFB p99 ms | seconds |\n"
    "|-------------------------------------|------|------|------|---------|------------"
    "-|-------------|---------|"
)


@dataclass
class Row:
    name: str
    concurrency: int = 1
    requests: int = 1
    errors: int = 0
    mb_per_s: float | None = None
    ttfb: list[float] | None = None
    seconds: float = 0.0

    def line(self) -> str:
        def pct(p: float) -> str:
            if not self.ttfb:
                return "-"
            ordered = sorted(self.ttfb)
            return f"{ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000:.1f}"

        rate = f"{self.mb_per_s:.0f}" if self.mb_per_s is not None else "-"
        return (f"| {self.name:<35} | {self.concurrency:>4} | {self.requests:>4} | "
                f"{self.errors:>4} | {rate:>7} | {pct(0.5):>11} | {pct(0.99):>11} | "
                f"{self.seconds:>7.2f} |")


def big_pdf(megabytes: int) -> bytes:
    """A real, valid PDF of about ``megabytes``: two pages and an incompressible attachment."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for page in (1, 2):
        canvas.drawString(72, 770, f"Bench page {page}")
        canvas.showPage()
    canvas.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.add_attachment("bench.bin", os.urandom(megabytes * 1024 * 1024))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pages_pdf(pages: int, title: str) -> bytes:
    """A text-heavy PDF of ``pages`` A4 pages in the Vietnamese serif font."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from server.fonts import register_serif, render_lock

    family = register_serif()
    buffer = io.BytesIO()
    with render_lock:
        canvas = Canvas(buffer, pagesize=A4)
        for page in range(1, pages + 1):
            canvas.setFont(family, 11)
            for line in range(45):
                canvas.drawString(60, 780 - line * 16,
                                  f"{title} — trang {page}, dòng {line + 1}: tình hình kinh tế "
                                  "- xã hội, thu chi ngân sách, đầu tư công.")
            canvas.showPage()
        canvas.save()
    return buffer.getvalue()


async def _login(http: aiohttp.ClientSession, base: str, username: str) -> tuple[str, str]:
    async with http.post(f"{base}/api/v1/auth/login",
                         json={"username": username, "password": "demo"}) as response:
        response.raise_for_status()
        return response.cookies["phonghop_session"].value, (await response.json())["csrf_token"]


async def _upload(base: str, data: bytes) -> tuple[str, str]:
    """Upload ``data`` to the demo meeting as its secretary; (file URL, a reader's cookie)."""
    async with aiohttp.ClientSession() as http:
        cookie, csrf = await _login(http, base, "thuky")
        headers = {"Cookie": f"phonghop_session={cookie}", "X-CSRF-Token": csrf}
        async with http.get(f"{base}/api/v1/meetings", headers=headers) as response:
            meeting_id = (await response.json())["meetings"][0]["id"]
        form = aiohttp.FormData()
        form.add_field("file", data, filename="bench-20mb.pdf", content_type="application/pdf")
        async with http.post(f"{base}/api/v1/meetings/{meeting_id}/documents", data=form,
                             headers=headers) as response:
            body = await response.json()
            if response.status != 201:
                raise SystemExit(f"bench upload refused: {body}")
        reader, _ = await _login(http, base, "daibieu01")
    return body["document"]["url"], reader


async def downloads(name: str, url: str, cookie: str | None, total: int, size: int) -> Row:
    """``total`` downloads at once; time to first byte is time to the response headers."""
    ttfb: list[float] = []
    errors = 0
    headers = {"Cookie": f"phonghop_session={cookie}"} if cookie else {}
    connector = aiohttp.TCPConnector(limit=0)

    async def one(http: aiohttp.ClientSession) -> None:
        nonlocal errors
        started = time.perf_counter()
        try:
            async with http.get(url, headers=headers) as response:
                ttfb.append(time.perf_counter() - started)
                received = 0
                while chunk := await response.content.read(1024 * 1024):
                    received += len(chunk)
                errors += response.status != 200 or received != size
        except aiohttp.ClientError:
            errors += 1

    async with aiohttp.ClientSession(connector=connector,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        started = time.perf_counter()
        await asyncio.gather(*(one(http) for _ in range(total)))
        seconds = time.perf_counter() - started
    moved = (total - errors) * size / 1024 / 1024
    return Row(name, total, total, errors, moved / seconds, ttfb, seconds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


NGINX_CONF = """
{user}
worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location /_protected/ {{ internal; alias {store}/; }}
        location /static-store/ {{ alias {store}/; }}
        location / {{ proxy_pass http://127.0.0.1:{upstream}; proxy_buffering off; }}
    }}
}}
"""


async def _wait_http(url: str, process: subprocess.Popen[bytes]) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(f"{url}: the process stopped")
            try:
                async with http.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


async def _nginx_rows(env: dict[str, str], url: str, cookie: str, size: int,
                      sha256: str) -> list[Row]:
    store = Path(env["PHONGHOP_DOCUMENTS_STORE"]).resolve()
    upstream = _free_port()
    accel_env = {**env, "PHONGHOP_DOCUMENTS_ACCEL_REDIRECT": "/_protected/"}
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--port", str(upstream)], cwd=ROOT,
        env=accel_env, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        conf = Path(tmp) / "nginx.conf"
        # Started as root, nginx's workers would become "nobody", who may not read the
        # bench's private temporary store.
        user = "user root;" if os.geteuid() == 0 else ""
        conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, port=port, store=store,
                                          upstream=upstream))
        nginx = subprocess.Popen([str(NGINX), "-c", str(conf), "-p", tmp, "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            await _wait_http(f"http://127.0.0.1:{upstream}/healthz", server)
            await _wait_http(f"http://127.0.0.1:{port}/healthz", nginx)
            base = f"http://127.0.0.1:{port}"
            accel = await downloads("nginx X-Accel-Redirect (checked)", base + url, cookie,
                                    DOWNLOADS, size)
            static = await downloads("nginx static, no access check",
                                     f"{base}/static-store/{sha256[:2]}/{sha256}", None,
                                     DOWNLOADS, size)
            if accel.errors or static.errors:
                print((Path(tmp) / "error.log").read_text()[-2000:], file=sys.stderr)
            return [accel, static]
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
            server.terminate()
            server.wait(timeout=10)


def stamp_row() -> Row:
    from server.documents.stamping import Stamp, stamp_pdf

    source = pages_pdf(50, "Phương án nhân sự (mật)")
    stamp = Stamp("Nguyễn Văn An", "Sở Tài chính", datetime.now(UTC))
    stamp_pdf(source, stamp)  # fonts registered, caches warm
    times = []
    for _ in range(3):
        started = time.perf_counter()
        stamp_pdf(source, stamp)
        times.append(time.perf_counter() - started)
    return Row("stamp 50 pages for one reader", 1, 3, 0, None, None, statistics.median(times))


def board_pack_row() -> Row:
    from server.documents.boardpack import PackDocument, PackPlan, PackSection, build_pack
    from server.documents.store import DocumentStore

    with tempfile.TemporaryDirectory() as tmp:
        store = DocumentStore(tmp)
        sections = []
        for item in range(1, 11):
            sha = store.put(pages_pdf(30, f"Tài liệu mục {item}"))
            sections.append(PackSection(str(item), f"Nội dung {item}", 0, (
                PackDocument(item, item, f"Tài liệu {item}", sha, 30),)))
        plan = PackPlan(1, "ỦY BAN NHÂN DÂN TỈNH LÂM SƠN", "Phiên họp thường kỳ", "12/BB-UBND",
                        datetime.now(UTC).isoformat(), "Hội trường tầng 3", ("Điểm cầu A",),
                        tuple(sections))
        started = time.perf_counter()
        _, pages = build_pack(plan, store)
        seconds = time.perf_counter() - started
    return Row(f"board pack of {pages} pages", 1, 1, 0, None, None, seconds)


async def _http_rows(base: str, env: dict[str, str]) -> list[Row]:
    import hashlib

    data = big_pdf(FILE_MB)
    url, cookie = await _upload(base, data)
    sha256 = hashlib.sha256(data).hexdigest()
    rows = [await downloads(f"aiohttp sendfile ({len(data) / 2**20:.0f} MB PDF)", base + url,
                            cookie, DOWNLOADS, len(data))]
    if NGINX.exists():
        rows += await _nginx_rows(env, url, cookie, len(data), sha256)
    return rows


def run(base: str, env: dict[str, str]) -> list[str]:
    """The table's lines (header first) and a line with the nginx ratio where measured."""
    rows = asyncio.run(_http_rows(base, env))
    rows += [stamp_row(), board_pack_row()]
    lines = [HEADER, *(row.line() for row in rows)]
    if len(rows) > 3 and rows[0].mb_per_s:
        accel, static = rows[1], rows[2]
        lines.append(f"\nnginx / aiohttp: {accel.mb_per_s / rows[0].mb_per_s:.2f}× with the "
                     f"access check, {static.mb_per_s / rows[0].mb_per_s:.2f}× without")
    elif not NGINX.exists():
        lines.append(f"\n{NGINX} not found: nginx rows skipped (apt-get install nginx-light)")
    if shutil.which("soffice") is None:
        lines.append("soffice not found: Office conversion is off on this machine")
    return lines


def failed(lines: list[str]) -> bool:
    return any(line.startswith("| ") and line.split("|")[4].strip() not in ("0", "errs")
               for line in lines if line.count("|") > 5)
