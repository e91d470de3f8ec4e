"""AdES long-term validation of one signature of a minutes (ETSI EN 319 102-1 §5.6.3).

pyHanko's ``ades_lta_validation`` takes the chain of document timestamps after a
signature as its evidence record: it proves that the signature, the certificates and
the CRLs in the DSS existed at the timestamp's time, and validates the signature as
of that time. verify.py asks it of every signature and turns the outcome into the
report's ``long_term``, its reason and the proven time. pyHanko calls this API
incubating: a surprise in it is reported as indeterminate, never raised.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pyhanko.sign.ades.report import AdESIndeterminate, AdESStatus
from pyhanko.sign.validation.ades import (
    AdESLTAValidationResult,
    ades_lta_validation,
    simulate_future_ades_lta_validation,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

from .trust import Trust

log = logging.getLogger("phonghop.minutes.verify")


class LongTerm(StrEnum):
    """The AdES indication of the long-term validation (ETSI EN 319 102-1 §5.1.3)."""

    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


LONG_TERM = {AdESStatus.PASSED: LongTerm.PASSED, AdESStatus.FAILED: LongTerm.FAILED,
             AdESStatus.INDETERMINATE: LongTerm.INDETERMINATE}
# What pyHanko says of a path that holds but has a certificate outside its validity.
EXPIRED = {AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
           AdESIndeterminate.EXPIRED}


@dataclass(frozen=True)
class Moment:
    """When the signatures are checked as of, and how the long-term part is run."""

    at: datetime
    point_in_time: bool               # a chosen moment rather than "now"
    simulated: bool

    @property
    def context_moment(self) -> datetime | None:
        return self.at if self.point_in_time else None

    @property
    def timing(self) -> ValidationTimingInfo:
        return ValidationTimingInfo(validation_time=self.at, best_signature_time=self.at,
                                    point_in_time_validation=self.point_in_time)


async def validate_long_term(signature: EmbeddedPdfSignature, trust: Trust,
                             moment: Moment) -> AdESLTAValidationResult | None:
    """pyHanko's AdES long-term validation of one signature; None when it broke down
    (pyHanko calls this API incubating: a surprise in it is reported, not raised)."""
    try:
        if moment.simulated:
            return await simulate_future_ades_lta_validation(
                signature, trust.long_term_spec(with_crls=False),
                future_validation_time=moment.at)
        return await ades_lta_validation(signature, trust.long_term_spec(),
                                         timing_info=moment.timing)
    except Exception:
        log.exception("long-term validation of signature %s broke down", signature.field_name)
        return None


def long_term_outcome(result: AdESLTAValidationResult | None, at: datetime,
                      ) -> tuple[LongTerm, str | None, datetime | None]:
    if result is None:
        return LongTerm.INDETERMINATE, AdESIndeterminate.GENERIC.name.lower(), None
    outcome = LONG_TERM[result.ades_subindic.status]
    if outcome is not LongTerm.PASSED:
        return outcome, str(result.ades_subindic.standard_name).lower(), None
    # The best signature time is the validation time itself when nothing older proves it.
    proven = result.best_signature_time if result.best_signature_time < at else None
    return outcome, None, proven
