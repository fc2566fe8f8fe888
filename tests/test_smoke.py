from django.apps import apps
from django.urls import reverse


def test_home_page_is_served_in_vietnamese(client, site_root):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


def test_home_page_leads_a_visitor_to_sign_in_and_to_the_courses(client, site_root):
    client.cookies["django_language"] = "vi"
    html = client.get("/").content.decode()
    assert "Đăng nhập để bắt đầu học" in html
    assert f'href="{reverse("courses:catalogue")}">Xem danh mục khóa học' in html


def test_django_admin_is_not_mounted(client, site_root):
    """Wagtail's admin does all the work; Django's own had nothing of ours in it."""
    assert client.get("/django-admin/").status_code == 404
    assert not apps.is_installed("django.contrib.admin")
