"""Errors of the annotations area, each with a stable code and a catalog message."""

from __future__ import annotations

from ..errors import DomainError


class UnknownDocument(DomainError):
    """Not a document of this meeting that the caller may read (or not that version)."""

    status = 404
    code = "unknown_document"
    message_key = "annotations.unknown_document"


class PageNotInDocument(DomainError):
    code = "page_out_of_range"
    message_key = "annotations.page_out_of_range"


class AnnotationNotYours(DomainError):
    status = 409
    code = "annotation_conflict"
    message_key = "annotations.conflict"


class ViewOnly(DomainError):
    status = 403
    code = "view_only"
    message_key = "annotations.view_only"


class TooManyChanges(DomainError):
    status = 413
    code = "too_many_changes"
    message_key = "annotations.too_many_changes"
