"""Signing in and out, password reset, self-registration and the login rate limit."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory


def _link(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_sign_in_by_email_and_password(client, trainee, site_root):
    response = client.post(
        reverse("account_login"),
        {"login": "LEARNER@example.org ", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == trainee


def test_wrong_password_shows_an_error_on_the_sign_in_page(client, trainee):
    response = client.post(
        reverse("account_login"), {"login": trainee.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert response.context["form"].errors


def test_sign_in_page_is_our_layout_with_labels(client, db):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="site-header"' in html
    assert '<label for="id_login"' in html
    assert '<label for="id_password"' in html
    assert reverse("account_reset_password") in html
    # Self-registration is closed by default, so no invitation to sign up.
    assert reverse("account_signup") not in html


def test_sign_out_needs_a_post(client, trainee, site_root):
    client.force_login(trainee)
    client.get(reverse("account_logout"))
    assert client.get("/").context["user"].is_authenticated
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_mail_has_a_working_link(client, trainee):
    client.post(reverse("account_reset_password"), {"email": trainee.email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [trainee.email]
    response = client.get(_link(mail.outbox[0]), follow=True)
    assert response.status_code == 200
    assert "form" in response.context and not response.context.get("token_fail")
    response = client.post(
        response.request["PATH_INFO"],
        {"password1": "a new one 2025!", "password2": "a new one 2025!"},
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.check_password("a new one 2025!")


def test_password_reset_for_an_unknown_address_sends_no_reset_link(client, db):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert all("password/reset/key" not in m.body for m in mail.outbox)


def test_self_registration_is_closed_by_default(client, db):
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "full_name": "Người Mới",
            "password1": "a good pass 2025!",
            "password2": "a good pass 2025!",
        },
    )
    assert not User.objects.filter(email="new@example.org").exists()


@override_settings(SIGNUP_OPEN=True)
def test_self_registration_requires_email_verification(client, site_root):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New@Example.org",
            "full_name": " Người   Mới ",
            "password1": "a good pass 2025!",
            "password2": "a good pass 2025!",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.full_name == "Người Mới"
    assert not EmailAddress.objects.get(user=user).verified
    # Until the address is confirmed, signing in leads to "verify your email".
    assert not client.get("/").context["user"].is_authenticated
    response = client.post(
        reverse("account_login"),
        {"login": "new@example.org", "password": "a good pass 2025!"},
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    confirmation = [m for m in mail.outbox if "confirm-email" in m.body][-1]
    response = client.post(_link(confirmation))
    assert EmailAddress.objects.get(user=user).verified


@override_settings(SIGNUP_OPEN=True, SIGNUP_EMAIL_DOMAINS=["quangngai.gov.vn"])
def test_self_registration_is_limited_to_listed_domains(client, db):
    data = {
        "full_name": "Người Mới",
        "password1": "a good pass 2025!",
        "password2": "a good pass 2025!",
    }
    response = client.post(
        reverse("account_signup"), {**data, "email": "someone@gmail.com"}
    )
    assert response.status_code == 200
    assert "quangngai.gov.vn" in str(response.context["form"].errors["email"])
    assert not User.objects.filter(email="someone@gmail.com").exists()
    client.post(reverse("account_signup"), {**data, "email": "a@quangngai.gov.vn"})
    assert User.objects.filter(email="a@quangngai.gov.vn").exists()


@override_settings(SIGNUP_EMAIL_DOMAINS=["quangngai.gov.vn"])
def test_password_reset_works_outside_the_signup_domains(client, trainee):
    client.post(reverse("account_reset_password"), {"email": trainee.email})
    assert len(mail.outbox) == 1


@override_settings(
    ACCOUNT_RATE_LIMITS={"login_failed": "10/m/ip,3/5m/key", "login": "30/m/ip"}
)
def test_failed_sign_ins_are_rate_limited(client, trainee):
    for _attempt in range(3):
        client.post(
            reverse("account_login"), {"login": trainee.email, "password": "wrong"}
        )
    response = client.post(
        reverse("account_login"),
        {"login": trainee.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Too many failed login attempts" in str(response.context["form"].errors)
    assert not response.context["user"].is_authenticated


@pytest.mark.parametrize(
    "language, greeting", [("vi", 'lang="vi"'), ("en", 'lang="en"')]
)
def test_sign_in_applies_the_preferred_language(client, site_root, language, greeting):
    user = UserFactory(preferred_language=language)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert greeting in client.get("/").content.decode()


def test_sign_in_errors_are_tied_to_their_fields(client, db):
    html = client.post(
        reverse("account_reset_password"),
        {"email": "not an address"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert 'id="id_email_error"' in html
