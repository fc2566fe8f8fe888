"""The four roles of the site, stored as Django groups created by a migration.

Other apps give a role more permissions from their own data migrations::

    def grant(apps, schema_editor):
        from accounts.roles import TRAINER, grant_model_permissions

        grant_model_permissions(
            TRAINER, "quizzes", ["add_quiz", "change_quiz"], apps=apps
        )
"""

from django.apps import apps as global_apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

TRAINEE = "trainee"
TRAINER = "trainer"
AGENCY_MANAGER = "agency_manager"
ADMINISTRATOR = "administrator"
ROLES = (TRAINEE, TRAINER, AGENCY_MANAGER, ADMINISTRATOR)
# Roles that work in the Wagtail admin; they also get is_staff so the site
# header shows them the way in.
ADMIN_ROLES = frozenset({TRAINER, AGENCY_MANAGER, ADMINISTRATOR})

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

# What each role may do, applied by accounts/migrations/0002_roles.py.
PAGE_PERMISSIONS = {
    # Trainers write and submit for moderation; they never publish.
    TRAINER: ("add", "change"),
    ADMINISTRATOR: ("add", "change", "bulk_delete", "publish", "lock", "unlock"),
}
COLLECTION_PERMISSIONS = {
    TRAINER: (
        ("wagtailimages", "image", ("add", "choose")),
        ("wagtaildocs", "document", ("add", "choose")),
    ),
    ADMINISTRATOR: (
        ("wagtailimages", "image", ("add", "change", "choose", "delete")),
        ("wagtaildocs", "document", ("add", "change", "choose", "delete")),
        ("wagtailcore", "collection", ("add", "change", "delete")),
    ),
}
MODEL_PERMISSIONS = {
    TRAINEE: (),
    TRAINER: (("wagtailadmin", ("access_admin",)),),
    AGENCY_MANAGER: (("wagtailadmin", ("access_admin",)),),
    ADMINISTRATOR: (
        ("wagtailadmin", ("access_admin",)),
        ("accounts", ("add_user", "change_user")),
        ("accounts", ("add_agency", "change_agency", "delete_agency")),
    ),
}


def group_name(role_or_group_name: str) -> str:
    return GROUP_NAMES.get(role_or_group_name, role_or_group_name)


def _permission(apps, app_label: str, codename: str, model: str | None = None):
    """Get or create a permission, as Wagtail's own migrations do.

    In a fresh ``migrate`` Django creates permissions only after the last
    migration (post_migrate), so a data migration cannot rely on them.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    action, _sep, model_name = codename.rpartition("_")
    model_name = model or model_name
    content_type, _created = ContentType.objects.get_or_create(
        app_label=app_label, model=model_name
    )
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {action.replace('_', ' ')} {model_name}"},
    )
    return permission


def grant_model_permissions(
    role: str, app_label: str, codenames, *, model: str | None = None, apps=None
) -> None:
    """Give a role's group the listed model permissions, creating any not yet there."""
    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name=group_name(role))
    group.permissions.add(
        *[_permission(apps, app_label, codename, model) for codename in codenames]
    )


def install_roles(apps=None) -> None:
    """Create the four role groups and their permissions; safe to run twice."""
    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model(
        "wagtailcore", "GroupCollectionPermission"
    )

    groups = {
        role: Group.objects.get_or_create(name=GROUP_NAMES[role])[0] for role in ROLES
    }
    for role, grants in MODEL_PERMISSIONS.items():
        for app_label, codenames in grants:
            grant_model_permissions(role, app_label, codenames, apps=apps)

    site = Site.objects.filter(is_default_site=True).first()
    page_roots = {
        # Trainers work under the site's home page, where the courses live.
        TRAINER: site.root_page if site else Page.objects.filter(depth=2).first(),
        ADMINISTRATOR: Page.objects.filter(depth=1).first(),
    }
    for role, actions in PAGE_PERMISSIONS.items():
        page = page_roots[role]
        if page is None:
            continue
        for action in actions:
            GroupPagePermission.objects.get_or_create(
                group=groups[role],
                page=page,
                permission=_permission(apps, "wagtailcore", f"{action}_page"),
            )

    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for role, grants in COLLECTION_PERMISSIONS.items():
            for app_label, model, actions in grants:
                for action in actions:
                    GroupCollectionPermission.objects.get_or_create(
                        group=groups[role],
                        collection=root_collection,
                        permission=_permission(apps, app_label, f"{action}_{model}"),
                    )


def role_of(user) -> str | None:
    """A person's highest role; superusers administer, anyone signed in is a trainee."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMINISTRATOR
    cached = getattr(user, "_role_cache", None)
    if cached:
        return cached
    names = {g.name for g in user.groups.all()}
    role = next(
        (
            r
            for r in (ADMINISTRATOR, AGENCY_MANAGER, TRAINER, TRAINEE)
            if GROUP_NAMES[r] in names
        ),
        TRAINEE,
    )
    user._role_cache = role
    return role


def is_administrator(user) -> bool:
    """Active superusers and members of the Administrator group administer the site."""
    return user.is_active and role_of(user) == ADMINISTRATOR


@transaction.atomic
def set_role(*, user, role: str) -> None:
    """A person holds exactly one role group; the admin-side roles also get is_staff."""
    if role not in ROLES:
        raise ValueError(f"Unknown role: {role!r}")
    from django.contrib.auth.models import Group

    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*role_groups.exclude(name=GROUP_NAMES[role]))
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    is_staff = user.is_superuser or role in ADMIN_ROLES
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    user._role_cache = role
