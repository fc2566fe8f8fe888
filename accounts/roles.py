"""The four roles of the site, stored as Django groups created by a migration."""

from django.utils.translation import gettext_lazy as _

TRAINEE = "trainee"
TRAINER = "trainer"
AGENCY_MANAGER = "agency_manager"
ADMINISTRATOR = "administrator"

# Group names are stable identifiers (used by migrations and the roster
# import); the label is what people read.
GROUP_NAMES = {
    TRAINEE: "Học viên",
    TRAINER: "Giảng viên",
    AGENCY_MANAGER: "Cán bộ đầu mối",
    ADMINISTRATOR: "Quản trị",
}
LABELS = {
    TRAINEE: _("Trainee"),
    TRAINER: _("Trainer"),
    AGENCY_MANAGER: _("Agency manager"),
    ADMINISTRATOR: _("Administrator"),
}
ROLE_CHOICES = list(LABELS.items())


def role_of(user) -> str | None:
    """The highest role a user holds, or None for an anonymous user."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    names = {g.name for g in user.groups.all()}
    for role in (ADMINISTRATOR, AGENCY_MANAGER, TRAINER, TRAINEE):
        if GROUP_NAMES[role] in names:
            return role
    return TRAINEE
