"""The Vietnamese demo: a fictional province, its hall and districts, 26 accounts, one meeting.

Split by concern: :mod:`.organisation` is who and what the demo is, :mod:`.documents`
the words of the meeting papers, :mod:`.pdf` how those papers are drawn, and
:mod:`.loader` writes all of it into an empty database. Callers outside the
package need only what is re-exported here.
"""

from __future__ import annotations

from .loader import demo_present, load_demo, load_demo_into, print_accounts
from .organisation import DEMO_USERNAMES

__all__ = ["DEMO_USERNAMES", "demo_present", "load_demo", "load_demo_into", "print_accounts"]
