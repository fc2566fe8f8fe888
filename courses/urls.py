from django.urls import path

from . import views
from .certificates import views as certificate_views

app_name = "courses"

urlpatterns = [
    path("my-learning/", views.my_learning, name="my_learning"),
    path("my-learning/catalogue/", views.catalogue, name="catalogue"),
    path("my-learning/enrol/<int:course_id>/", views.enrol, name="enrol"),
    path(
        "my-learning/lessons/<int:lesson_id>/complete/",
        views.complete_lesson,
        name="complete_lesson",
    ),
    path(
        "certificates/<int:certificate_id>/download/",
        certificate_views.download_certificate,
        name="download_certificate",
    ),
    path(
        "certificates/verify/",
        certificate_views.verify_certificate_form,
        name="verify_certificate_form",
    ),
    path(
        "certificates/verify/<str:code>/",
        certificate_views.verify_certificate,
        name="verify_certificate",
    ),
]
