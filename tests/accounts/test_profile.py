"""The profile page and the language switch."""

from django.conf import settings
from django.urls import reverse


def test_profile_saves_name_position_and_language(client, trainee):
    client.force_login(trainee)
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "Trần  Thị Học",
            "position": "Phó phòng",
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert (trainee.full_name, trainee.position, trainee.preferred_language) == (
        "Trần Thị Học",
        "Phó phòng",
        "en",
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_forged_post_cannot_move_the_person_to_another_agency(
    client, trainee, other_agency
):
    own_agency = trainee.agency
    client.force_login(trainee)
    client.post(
        reverse("accounts:profile"),
        {
            "full_name": trainee.full_name,
            "position": "",
            "preferred_language": "vi",
            "agency": other_agency.pk,
            "agency_id": other_agency.pk,
            "email": "elsewhere@example.org",
            "is_staff": "on",
        },
    )
    trainee.refresh_from_db()
    assert trainee.agency == own_agency
    assert trainee.email == "learner@example.org"
    assert not trainee.is_staff


def test_profile_needs_sign_in(client, db):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_language_switch_makes_the_home_page_english(client, site_root):
    assert '<html lang="vi">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


def test_a_signed_in_persons_preferred_language_applies(client, trainee, site_root):
    trainee.preferred_language = "en"
    trainee.save(update_fields=["preferred_language"])
    client.force_login(trainee)
    assert '<html lang="en">' in client.get("/").content.decode()
    # The switch still wins over the stored preference.
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()
