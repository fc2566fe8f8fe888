"""The custom user model in Wagtail's Users screens and Account page."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import User
from accounts.roles import GROUP_NAMES, TRAINER, role_of
from tests.factories import UserFactory


def test_an_administrator_creates_a_user_in_the_admin(
    client, administrator, trainee, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    response = client.get(reverse("wagtailusers_users:add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="full_name"' in html and 'name="agency"' in html
    assert 'name="first_name"' not in html
    # Only a superuser may hand out superuser status.
    assert 'name="is_superuser"' not in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailusers_users:add"),
            {
                "email": "New.Person@Example.org",
                "full_name": "  Phạm   Văn Mới ",
                "position": "Người phát ngôn",
                "agency": trainee.agency.pk,
                "preferred_language": "en",
                "password1": "",
                "password2": "",
                "groups": [Group.objects.get(name=GROUP_NAMES[TRAINER]).pk],
                "is_superuser": "on",
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(email="new.person@example.org")
    assert user.full_name == "Phạm Văn Mới"
    assert user.agency == trainee.agency
    assert user.preferred_language == "en"
    assert role_of(user) == TRAINER and user.is_staff
    assert not user.is_superuser
    # Without a password, the new person is invited to choose one.
    assert EmailAddress.objects.get(user=user).primary
    (invitation,) = mail.outbox
    assert invitation.to == ["new.person@example.org"]
    assert "/accounts/password/reset/key/" in invitation.body
    assert "choose your password" in invitation.body  # in their language (en)


def test_the_user_list_search_and_edit_pages_open(client, administrator, trainee):
    client.force_login(administrator)
    response = client.get(reverse("wagtailusers_users:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert trainee.full_name in html and trainee.agency.name in html
    response = client.get(reverse("wagtailusers_users:index"), {"q": "Học"})
    assert list(response.context["object_list"]) == [trainee]
    response = client.get(reverse("wagtailusers_users:index"), {"ordering": "name"})
    assert response.status_code == 200
    response = client.get(reverse("wagtailusers_users:edit", args=[trainee.pk]))
    assert response.status_code == 200


def test_an_administrator_edits_a_persons_agency_in_the_admin(
    client, administrator, trainee, other_agency
):
    client.force_login(administrator)
    response = client.post(
        reverse("wagtailusers_users:edit", args=[trainee.pk]),
        {
            "email": trainee.email,
            "full_name": trainee.full_name,
            "position": "Trưởng phòng",
            "agency": other_agency.pk,
            "preferred_language": "vi",
            "is_active": "on",
            "groups": list(trainee.groups.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    trainee.refresh_from_db()
    assert (trainee.agency, trainee.position) == (other_agency, "Trưởng phòng")


def test_superusers_may_grant_superuser_status(client, trainee):
    client.force_login(UserFactory(is_superuser=True))
    html = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="is_superuser"' in html


def test_the_admin_account_page_edits_name_and_position(client, trainer):
    client.force_login(trainer)
    response = client.get(reverse("wagtailadmin_account"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="name_email-full_name"' in html
    assert "first_name" not in html
    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-full_name": "Phan  Minh  Giảng",
            "name_email-position": "Giảng viên chính",
            "locale-preferred_language": "",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
            "theme-keyboard_shortcuts": "on",
        },
    )
    assert response.status_code == 302, response.context
    trainer.refresh_from_db()
    assert (trainer.full_name, trainer.position) == (
        "Phan Minh Giảng",
        "Giảng viên chính",
    )


def test_admin_sign_in_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/admin/pages/" in response["Location"]


def test_the_user_list_makes_a_fixed_number_of_queries(
    client, administrator, trainee, django_assert_max_num_queries
):
    for _n in range(30):
        UserFactory(agency=trainee.agency)
    client.force_login(administrator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("wagtailusers_users:index"))
    assert len(response.context["object_list"]) == 20  # a full page
