from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts import demo_data
from accounts.models import Agency, User
from accounts.permissions import learners_visible_to
from accounts.roles import ADMINISTRATOR, AGENCY_MANAGER, TRAINEE, TRAINER, role_of


def _state():
    return (
        sorted(Agency.objects.values_list("code", "name", "parent_id", "updated_at")),
        sorted(User.objects.values_list("email", "full_name", "agency_id", "password")),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    )


def test_accounts_demo_loads_twice_without_changes(db):
    list(demo_data.load())
    before = _state()
    lines = list(demo_data.load())
    assert _state() == before
    assert "0 created, 0 updated" in lines[0] and "0 created, 0 updated" in lines[1]


def test_demo_accounts_can_sign_in_with_their_roles(client, db):
    list(demo_data.load())
    expected = {
        "admin@example.org": ADMINISTRATOR,
        "trainer@example.org": TRAINER,
        "manager@example.org": AGENCY_MANAGER,
        "trainee@example.org": TRAINEE,
    }
    for email, role in expected.items():
        user = User.objects.get(email=email)
        assert role_of(user) == role
        assert EmailAddress.objects.get(user=user, primary=True).verified
        assert client.login(email=email, password=demo_data.DEMO_PASSWORD)
    assert User.objects.get(email="admin@example.org").is_superuser
    manager = User.objects.get(email="manager@example.org")
    # The manager's district has units, so they see more than their own agency.
    agencies = set(learners_visible_to(manager).values_list("agency__code", flat=True))
    assert {"QNG-BSO", "QNG-BSO-TT"} <= agencies
    assert role_of(User.objects.get(email="khanh.vod@example.org")) == AGENCY_MANAGER
    assert role_of(User.objects.get(email="khanh.phanm@example.org")) == TRAINER


def test_load_demo_data_command_runs_twice(db, site_root):
    call_command("load_demo_data")
    before = _state()
    call_command("load_demo_data")
    assert _state() == before
    assert User.objects.filter(email__endswith="@example.org").count() > 100
