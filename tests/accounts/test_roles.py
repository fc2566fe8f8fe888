from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Site

from accounts.roles import (
    ADMINISTRATOR,
    AGENCY_MANAGER,
    GROUP_NAMES,
    TRAINEE,
    TRAINER,
    grant_model_permissions,
    install_roles,
    role_of,
    set_role,
)
from tests.factories import UserFactory


def _codenames(role):
    group = Group.objects.get(name=GROUP_NAMES[role])
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migration_creates_the_four_role_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(
        GROUP_NAMES.values()
    )


def test_trainees_have_no_admin_access(db):
    assert _codenames(TRAINEE) == set()


def test_trainers_edit_pages_under_the_home_page_but_never_publish(site_root):
    group = Group.objects.get(name=GROUP_NAMES[TRAINER])
    pages = GroupPagePermission.objects.filter(group=group)
    assert {p.permission.codename for p in pages} == {"add_page", "change_page"}
    assert {p.page_id for p in pages} == {
        Site.objects.get(is_default_site=True).root_page_id
    }
    # Other apps add their own model permissions (quizzes, courses); the
    # accounts part gives trainers the admin and nothing over people.
    codenames = _codenames(TRAINER)
    assert "wagtailadmin.access_admin" in codenames
    assert not {c for c in codenames if c.startswith(("accounts.", "wagtailcore."))}
    collection = {
        p.permission.codename
        for p in GroupCollectionPermission.objects.filter(group=group)
    }
    assert collection == {
        "add_image",
        "choose_image",
        "add_document",
        "choose_document",
    }


def test_agency_managers_reach_the_admin_but_manage_no_people_or_pages(db):
    codenames = _codenames(AGENCY_MANAGER)
    assert "wagtailadmin.access_admin" in codenames
    assert not {c for c in codenames if c.startswith(("accounts.", "wagtailcore."))}
    group = Group.objects.get(name=GROUP_NAMES[AGENCY_MANAGER])
    assert not GroupPagePermission.objects.filter(group=group).exists()


def test_administrators_manage_pages_people_and_agencies(db):
    assert _codenames(ADMINISTRATOR) >= {
        "wagtailadmin.access_admin",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.add_agency",
        "accounts.change_agency",
        "accounts.delete_agency",
    }
    group = Group.objects.get(name=GROUP_NAMES[ADMINISTRATOR])
    page_perms = GroupPagePermission.objects.filter(group=group)
    assert {p.permission.codename for p in page_perms} == {
        "add_page",
        "change_page",
        "bulk_delete_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    }
    assert {p.page.depth for p in page_perms} == {1}
    assert GroupCollectionPermission.objects.filter(
        group=group, permission__codename="delete_collection"
    ).exists()


def test_installing_roles_again_changes_nothing(db):
    before = (
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        Permission.objects.count(),
    )
    install_roles()
    assert (
        GroupPagePermission.objects.count(),
        GroupCollectionPermission.objects.count(),
        Permission.objects.count(),
    ) == before


def test_other_apps_can_grant_a_role_model_permissions(db):
    grant_model_permissions(TRAINER, "accounts", ["view_agency"])
    assert "accounts.view_agency" in _codenames(TRAINER)


def test_set_role_keeps_one_role_group_and_the_staff_flag_in_step(db):
    user = UserFactory()
    assert role_of(user) == TRAINEE and not user.is_staff
    set_role(user=user, role=AGENCY_MANAGER)
    set_role(user=user, role=TRAINER)
    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[TRAINER]]
    assert role_of(user) == TRAINER and user.is_staff
    set_role(user=user, role=TRAINEE)
    user.refresh_from_db()
    assert not user.is_staff


def test_superusers_are_administrators(db):
    assert role_of(UserFactory(is_superuser=True)) == ADMINISTRATOR
