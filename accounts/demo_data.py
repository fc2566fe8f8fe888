"""The accounts part of the demo: agencies, the learner roster, one account per role.

Everything goes through the real import services, so running it twice changes
nothing. Called by ``manage.py load_demo_data``.
"""

from django.conf import settings
from django.db import transaction

from .models import Agency, User
from .roles import ADMINISTRATOR, AGENCY_MANAGER, TRAINEE, TRAINER, set_role
from .services import ensure_primary_email, import_agencies, import_learners

DATA_DIR = settings.BASE_DIR / "data"
DEMO_PASSWORD = "demo12345!"  # noqa: S105 - published in the README, demo only

# (email, full name, position, role, agency code, superuser). The people are
# illustrative, like the roster.
DEMO_ACCOUNTS = [
    (
        "admin@example.org",
        "Trần Quốc Huy",
        "Phòng Thông tin - Báo chí - Xuất bản",
        ADMINISTRATOR,
        "QNG-STTTT",
        True,
    ),
    (
        "trainer@example.org",
        "Lê Thu Hà",
        "Chuyên viên Phòng Thông tin - Báo chí - Xuất bản",
        TRAINER,
        "QNG-STTTT",
        False,
    ),
    (
        # A district with units under it, so the manager sees a subtree.
        "manager@example.org",
        "Võ Minh Tâm",
        "Chánh Văn phòng HĐND và UBND huyện",
        AGENCY_MANAGER,
        "QNG-BSO",
        False,
    ),
    (
        "trainee@example.org",
        "Phạm Ngọc Lan",
        "Người phát ngôn",
        TRAINEE,
        "QNG-STTTT",
        False,
    ),
]


def _summary(preview) -> str:
    counts = preview.summary()
    return (
        f"{counts['to_create']} created, {counts['to_update']} updated, "
        f"{counts['unchanged']} unchanged, {counts['errors']} rows with errors"
    )


@transaction.atomic
def ensure_demo_account(
    *, email, full_name, position, role, agency_code, superuser
) -> bool:
    """A demo account has its role, a verified address and the published password."""
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "full_name": full_name,
            "position": position,
            "agency": Agency.objects.get(code=agency_code),
            "is_superuser": superuser,
        },
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    set_role(user=user, role=role)
    ensure_primary_email(user=user, verified=True)
    return created


def load(stdout=None):
    """Yield one progress line per step."""
    agencies = import_agencies(content=(DATA_DIR / "agencies.csv").read_bytes())
    yield f"Agencies from data/agencies.csv: {_summary(agencies)}."
    learners = import_learners(
        content=(DATA_DIR / "learners.csv").read_bytes(), invite=False
    )
    yield f"Learners from data/learners.csv: {_summary(learners)}."
    created = sum(
        ensure_demo_account(
            email=email,
            full_name=full_name,
            position=position,
            role=role,
            agency_code=agency_code,
            superuser=superuser,
        )
        for email, full_name, position, role, agency_code, superuser in DEMO_ACCOUNTS
    )
    yield (
        f"Demo accounts (password {DEMO_PASSWORD}): {created} created, "
        f"{len(DEMO_ACCOUNTS) - created} already there."
    )
