"""Imports every area's models, so that ``Base.metadata`` holds the whole schema."""

from __future__ import annotations


def load_models() -> None:
    from .annotations import models as _annotations  # noqa: F401
    from .audit import models as _audit  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .bridge import models as _bridge  # noqa: F401
    from .documents import models as _documents  # noqa: F401
    from .meetings import models as _meetings  # noqa: F401
    from .minutes import models as _minutes  # noqa: F401
    from .voting import models as _voting  # noqa: F401
