from django.urls import path

from . import views

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
]
