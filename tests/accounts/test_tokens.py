from datetime import timedelta

from allauth.account.forms import default_token_generator
from django.utils import timezone

from accounts.tokens import InvitationAwareTokenGenerator
from tests.factories import UserFactory


def _later(monkeypatch, days):
    # Django's token clock is naive local time; move it, not the real clock.
    real_now = InvitationAwareTokenGenerator()._now()
    monkeypatch.setattr(
        default_token_generator, "_now", lambda: real_now + timedelta(days=days)
    )


def test_allauth_uses_the_invitation_aware_generator():
    assert isinstance(default_token_generator, InvitationAwareTokenGenerator)


def test_an_invitation_link_lasts_the_invitation_period(db, monkeypatch):
    user = UserFactory(invited_at=timezone.now(), password=None)
    token = default_token_generator.make_token(user)
    _later(monkeypatch, 10)
    assert default_token_generator.check_token(user, token)
    _later(monkeypatch, 15)
    assert not default_token_generator.check_token(user, token)


def test_an_ordinary_reset_link_keeps_djangos_timeout(db, monkeypatch):
    user = UserFactory()
    token = default_token_generator.make_token(user)
    _later(monkeypatch, 2)
    assert default_token_generator.check_token(user, token)
    _later(monkeypatch, 4)
    assert not default_token_generator.check_token(user, token)


def test_a_tampered_token_is_refused(db):
    user = UserFactory()
    token = default_token_generator.make_token(user)
    assert not default_token_generator.check_token(user, token[:-1] + "x")
    assert not default_token_generator.check_token(user, "garbage")
    assert not default_token_generator.check_token(UserFactory(), token)
