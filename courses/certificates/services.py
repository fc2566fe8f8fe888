"""Certificates of completion: codes, issuing, revoking, keeping the name current.

A certificate copies its facts (name, agency, course, completion date, score)
when it is issued; pdf.py draws it from those facts on each download.
"""

import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.links import absolute_url
from accounts.models import User

from ..learning import Certificate, Enrolment

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper
# is not misread. Twelve characters are 60 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


CODE_LENGTH = 12


CODE_GROUP = 4


# What people type for the letters the alphabet leaves out.
CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A random code grouped for reading: XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(value: str) -> str | None:
    """A code as typed (any case, spaces, dashes, O for 0) in its printed form,
    or None when it cannot be one."""
    raw = "".join((value or "").split()).replace("-", "").upper()
    raw = raw.translate(CODE_LOOKALIKES)
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def verification_url(certificate: Certificate) -> str:
    """The public page that says whether a certificate is valid, as an absolute URL."""
    return absolute_url(reverse("courses:verify_certificate", args=[certificate.code]))


@transaction.atomic
def issue_certificate(*, enrolment: Enrolment) -> Certificate | None:
    """A completed enrolment in a course with certificates gets exactly one; issuing
    again returns it."""
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    if enrolment.completed_at is None or not enrolment.course.certificate_enabled:
        return None
    learner = enrolment.learner
    agency = learner.agency or enrolment.agency
    certificate = Certificate(
        enrolment=enrolment,
        learner_name=learner.get_full_name(),
        agency_name=agency.name if agency else "",
        course_title=enrolment.course.title,
        completed_at=enrolment.completed_at,
        score=enrolment.score,
    )
    # Each try in a savepoint: the one-per-enrolment constraint settles a race
    # (the winner's certificate is returned), a clash of codes draws again.
    for _attempt in range(5):
        certificate.code = new_code()
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
        except IntegrityError:
            existing = Certificate.objects.filter(enrolment=enrolment).first()
            if existing is not None:
                return existing
            certificate.pk = None
            continue
        return certificate
    raise IntegrityError("Could not draw a unique certificate code.")


@transaction.atomic
def revoke_certificate(
    *, certificate: Certificate, revoked_by: User, reason: str
) -> Certificate:
    """A revoked certificate verifies as revoked and its learner can no longer
    download it; revoking twice keeps the first record."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = revoked_by
        certificate.revoke_reason = reason.strip()
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return certificate


def refresh_certificates_for(*, learner: User) -> int:
    """A learner's certificates carry their current name (a corrected spelling);
    every other fact stays as issued."""
    name = learner.get_full_name()
    return (
        Certificate.objects.filter(enrolment__learner=learner)
        .exclude(learner_name=name)
        .update(learner_name=name)
    )


def certificates_by_enrolment(enrolment_ids) -> dict[int, Certificate]:
    """Enrolment id → its certificate, in one query."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    return {c.enrolment_id: c for c in Certificate.objects.filter(enrolment_id__in=ids)}
