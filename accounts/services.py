"""Writes for accounts and agencies: one function per business action."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks

from . import imports
from .models import Agency, User, normalise_email, normalise_name
from .roles import role_of, set_role
from .tasks import send_invitation

# What the apps above accounts do when a person changes: they register a
# function under these names in their wagtail_hooks.py, called as fn(user=...).
AFTER_PERSON_MOVED = "after_person_moved"
AFTER_PERSON_RENAMED = "after_person_renamed"


def person_changed(*, user: User, agency_changed: bool, name_changed: bool) -> None:
    """Every write that moves a person to an agency (or creates them in one) or
    changes their printed name calls this once the person is saved.

    accounts sits below the other apps and may not import them, so it calls the
    functions registered for the two hooks instead: ``after_person_moved``
    (courses enrols a newcomer in the courses assigned to their agency) and
    ``after_person_renamed`` (courses reprints the name on their certificates).
    """
    if agency_changed:
        for fn in hooks.get_hooks(AFTER_PERSON_MOVED):
            fn(user=user)
    if name_changed:
        for fn in hooks.get_hooks(AFTER_PERSON_RENAMED):
            fn(user=user)


def _printed_name(user_id: int) -> str:
    # What a certificate prints (User.get_full_name), as stored now.
    full_name, email = User.objects.values_list("full_name", "email").get(pk=user_id)
    return full_name or email


@transaction.atomic
def update_profile(
    *, user: User, full_name: str, position: str, preferred_language: str
) -> User:
    """A person edits their own name, position and language, never their agency."""
    # Read from the database: a bound form has already written onto ``user``.
    printed_before = _printed_name(user.pk)
    user.full_name = normalise_name(full_name)
    user.position = position.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["full_name", "position", "preferred_language"])
    person_changed(
        user=user,
        agency_changed=False,
        name_changed=user.get_full_name() != printed_before,
    )
    return user


# Agencies ------------------------------------------------------------------


@transaction.atomic
def deactivate_agency(*, agency: Agency) -> Agency:
    """An agency closes only when no open unit is left under it; its people stay."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if not agency.is_active:
        raise ValidationError(_("This agency is already closed."))
    if agency.children.filter(is_active=True).exists():
        raise ValidationError(
            _("Close or move the open units under this agency first.")
        )
    agency.is_active = False
    agency.closed_at = timezone.now()
    agency.save(update_fields=["is_active", "closed_at", "updated_at"])
    return agency


@transaction.atomic
def merge_agency(*, source: Agency, target: Agency, merged_by: User | None) -> Agency:
    """The source closes, pointing at the target, which takes its units and its
    people (who join the courses assigned to the target, as any newcomer does)."""
    locked = Agency.objects.select_for_update().in_bulk([source.pk, target.pk])
    source, target = locked[source.pk], locked.get(target.pk)
    if target is None or target.pk == source.pk:
        raise ValidationError(_("An agency cannot be merged into itself."))
    if not source.is_active:
        raise ValidationError(
            _("%(agency)s is already closed.") % {"agency": source.name}
        )
    if not target.is_active:
        raise ValidationError(
            _("%(agency)s is closed; choose an open agency to merge into.")
            % {"agency": target.name}
        )
    if target.pk in Agency.objects.subtree_ids(source):
        raise ValidationError(
            _(
                "%(target)s belongs to %(source)s; merging would put an agency "
                "under itself."
            )
            % {"target": target.name, "source": source.name}
        )
    people = list(User.objects.filter(agency=source))
    moved_people = User.objects.filter(agency=source).update(agency=target)
    moved_units = Agency.objects.filter(parent=source, is_active=True).update(
        parent=target, updated_at=timezone.now()
    )
    source.is_active = False
    source.replaced_by = target
    source.closed_at = timezone.now()
    source.save(update_fields=["is_active", "replaced_by", "closed_at", "updated_at"])

    from wagtail.log_actions import log

    log(
        instance=source,
        action="accounts.agency.merge",
        user=merged_by,
        data={
            "target": target.code,
            "people_moved": moved_people,
            "units_moved": moved_units,
        },
    )
    for person in people:
        person.agency = target
        person_changed(user=person, agency_changed=True, name_changed=False)
    return source


def agency_snapshot() -> dict[str, imports.ExistingAgency]:
    codes = dict(Agency.objects.values_list("pk", "code"))
    return {
        a["code"]: imports.ExistingAgency(
            code=a["code"],
            name=a["name"],
            kind=a["kind"],
            parent_code=codes.get(a["parent_id"], ""),
            is_active=a["is_active"],
            successor_code=codes.get(a["replaced_by_id"], ""),
        )
        for a in Agency.objects.values(
            "code", "name", "kind", "parent_id", "is_active", "replaced_by_id"
        )
    }


def preview_agency_import(*, content: bytes) -> imports.Preview:
    """What importing this agency list would do; NotATable if the file is not one."""
    rows = imports.read_table(
        content, imports.AGENCY_COLUMNS, required=imports.AGENCY_REQUIRED
    )
    return imports.preview_agencies(rows, agency_snapshot())


@transaction.atomic
def import_agencies(*, content: bytes, dry_run: bool = False) -> imports.Preview:
    """Rows match agencies by code; valid rows all import together, invalid ones not."""
    preview = preview_agency_import(content=content)
    if dry_run or not preview.has_changes:
        return preview
    by_code = {a.code: a for a in Agency.objects.select_for_update()}
    for row in preview.to_create:
        by_code[row.code] = Agency.objects.create(
            code=row.code, name=row.name, kind=row.kind
        )
    # Second pass: every agency of the file exists now, so parents can be set
    # whatever order the rows came in.
    for row in [*preview.to_create, *(change.item for change in preview.to_update)]:
        agency = by_code[row.code]
        agency.name = row.name
        agency.kind = row.kind
        agency.parent = by_code[row.parent_code] if row.parent_code else None
        agency.save(update_fields=["name", "kind", "parent", "updated_at"])
    return preview


# People --------------------------------------------------------------------


def learner_snapshot(emails) -> dict[str, imports.ExistingLearner]:
    users = (
        User.objects.filter(email__in=list(emails))
        .select_related("agency")
        .prefetch_related("groups")
    )
    return {
        user.email: imports.ExistingLearner(
            email=user.email,
            full_name=user.full_name,
            position=user.position,
            agency_code=user.agency.code if user.agency else "",
            role=role_of(user),
        )
        for user in users
    }


def preview_learner_import(*, content: bytes) -> imports.Preview:
    """What importing this roster would do; NotATable if the file is not a roster."""
    rows = imports.read_table(
        content, imports.LEARNER_COLUMNS, required=imports.LEARNER_REQUIRED
    )
    emails = {e for e in (normalise_email(v.get("email", "")) for _n, v in rows) if e}
    return imports.preview_learners(rows, agency_snapshot(), learner_snapshot(emails))


def invite_user(*, user: User) -> None:
    """An invitation goes out once the transaction that created the person commits."""
    transaction.on_commit(lambda: send_invitation.enqueue(user.pk))


def ensure_primary_email(*, user: User, verified: bool = False) -> EmailAddress:
    """A person's login address is their one primary address in allauth."""
    address, _created = EmailAddress.objects.get_or_create(
        user=user,
        email=user.email,
        defaults={"primary": True, "verified": verified},
    )
    EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(
        primary=False
    )
    fields = []
    if not address.primary:
        address.primary = True
        fields.append("primary")
    if verified and not address.verified:
        address.verified = True
        fields.append("verified")
    if fields:
        address.save(update_fields=fields)
    return address


@transaction.atomic
def import_learners(
    *, content: bytes, invite: bool = True, dry_run: bool = False
) -> imports.Preview:
    """Rows match people by email; valid rows import together; newcomers are invited."""
    preview = preview_learner_import(content=content)
    if dry_run or not preview.has_changes:
        return preview
    agencies = {a.code: a for a in Agency.objects.all()}
    for row in preview.to_create:
        user = User.objects.create_user(
            email=row.email,
            full_name=row.full_name,
            position=row.position,
            agency=agencies[row.agency_code],
        )
        ensure_primary_email(user=user)
        set_role(user=user, role=row.role)
        person_changed(user=user, agency_changed=True, name_changed=False)
        if invite:
            invite_user(user=user)
    users = {
        u.email: u
        for u in User.objects.filter(email__in=[c.key for c in preview.to_update])
    }
    for change in preview.to_update:
        user, row = users[change.key], change.item
        user.full_name = row.full_name
        user.position = row.position
        user.agency = agencies[row.agency_code]
        user.save(update_fields=["full_name", "position", "agency"])
        if "role" in change.changes:
            set_role(user=user, role=row.role)
        person_changed(
            user=user,
            agency_changed="agency_code" in change.changes,
            name_changed="full_name" in change.changes,
        )
    return preview
