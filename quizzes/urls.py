from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("lesson/<int:lesson_id>/", views.lesson_quiz_intro, name="lesson_quiz"),
    path(
        "lesson/<int:lesson_id>/start/",
        views.start_lesson_quiz,
        name="start_lesson_quiz",
    ),
    path("course/<int:course_id>/final/", views.final_quiz_intro, name="final_quiz"),
    path(
        "course/<int:course_id>/final/start/",
        views.start_final_quiz,
        name="start_final_quiz",
    ),
    path("attempt/<int:pk>/", views.attempt_resume, name="attempt"),
    path(
        "attempt/<int:pk>/page/<int:number>/",
        views.attempt_page,
        name="attempt_page",
    ),
    path("attempt/<int:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempt/<int:pk>/result/", views.attempt_result, name="attempt_result"),
]
