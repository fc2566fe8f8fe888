import pytest
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("site_root")


@override_settings(MFA_REQUIRED_FOR_ADMINISTRATORS=True)
@pytest.mark.parametrize("person", ["administrator", "superuser"])
def test_administrators_without_totp_are_sent_to_set_it_up(client, person, request):
    user = (
        UserFactory(is_superuser=True)
        if person == "superuser"
        else request.getfixturevalue("administrator")
    )
    client.force_login(user)
    for url in ("/", "/admin/", reverse("accounts:profile")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")
    # The two-factor pages themselves, and signing out, stay open.
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)
    assert client.post(reverse("account_logout")).status_code == 302


@override_settings(MFA_REQUIRED_FOR_ADMINISTRATORS=True)
def test_administrators_with_totp_go_anywhere(client, administrator):
    Authenticator.objects.create(
        user=administrator, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(administrator)
    assert client.get("/").status_code == 200


@override_settings(MFA_REQUIRED_FOR_ADMINISTRATORS=True)
def test_other_roles_are_not_forced(client, trainee, trainer):
    for user in (trainee, trainer):
        client.force_login(user)
        assert client.get("/").status_code == 200


def test_without_the_setting_nobody_is_forced(client, administrator):
    client.force_login(administrator)
    assert client.get("/").status_code == 200


def test_every_user_can_open_the_totp_setup(client, trainee):
    client.force_login(trainee)
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
