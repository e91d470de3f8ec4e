"""The meeting pages' scripts take every string from the catalog: each key they name exists."""

from __future__ import annotations

import re

from server.documents.models import DocumentAccess
from server.i18n import catalog
from server.meetings.models import Attendance, MeetingRole, MeetingStatus
from server.meetings.pages import script_strings
from server.settings import ROOT

SCRIPTS = sorted((ROOT / "web" / "static" / "js").glob("meeting-*.js"))
KEY = re.compile(r"""["'`]((?:meeting_pages|meeting_role|meeting_status)\.[a-z_.]+)["'`]""")


def test_every_key_named_in_the_scripts_is_in_both_catalogs() -> None:
    used = {key for path in SCRIPTS for key in KEY.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 50, "no keys found: the pattern is wrong"
    for locale in ("vi", "en"):
        assert sorted(used - set(script_strings(locale))) == [], locale


def test_keys_the_scripts_build_from_values_exist_for_every_value() -> None:
    built = ([f"meeting_pages.attendance.{a.value}" for a in Attendance]
             + [f"meeting_pages.access.{a.value}" for a in DocumentAccess]
             + [f"meeting_role.{r.value}" for r in MeetingRole]
             + [f"meeting_status.{s.value}" for s in MeetingStatus])
    for locale in ("vi", "en"):
        assert sorted(set(built) - set(catalog(locale))) == [], locale


def test_the_scripts_hold_no_vietnamese_text_of_their_own() -> None:
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    for path in SCRIPTS:
        assert not vietnamese.search(path.read_text(encoding="utf-8")), path.name
