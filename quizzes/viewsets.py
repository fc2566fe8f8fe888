"""The Quizzes menu in the Wagtail admin: quizzes, questions, categories, import,
essays to grade, overrides and regrade records."""

import django_filters
from django.db.models import Count
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from accounts.models import Agency
from courses.models import CoursePage

from . import admin_views, selectors
from .forms import QuestionForm
from .models import (
    EssayResponse,
    Question,
    QuestionCategory,
    Quiz,
    QuizOverride,
    RegradeLog,
)


class QuizIndexView(SnippetIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("quizzes.view_quiz"):
            buttons.append(
                MenuItem(
                    _("Item analysis"),
                    url=reverse("quizzes_quizzes:analysis", args=[instance.pk]),
                    icon_name="table",
                    priority=40,
                )
            )
        return buttons


class QuizViewSet(SnippetViewSet):
    model = Quiz
    index_view_class = QuizIndexView
    icon = "tasks"
    menu_label = _("Quizzes")
    menu_order = 100
    url_prefix = "quizzes/quizzes"
    url_namespace = "quizzes_quizzes"
    list_display = [
        "title",
        "pass_mark",
        "attempts_allowed",
        "grading_method",
        "layout",
    ]
    list_filter = ["grading_method", "layout"]
    search_fields = ["title", "description"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "analysis/<int:pk>/",
                admin_views.ItemAnalysisView.as_view(),
                name="analysis",
            ),
        ]


class QuestionFilterSet(WagtailFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=QuestionCategory.objects.all(),
        method="filter_category",
    )

    class Meta:
        model = Question
        fields = ["type", "category"]

    def filter_category(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(category_id__in=value.descendant_ids())


class QuestionIndexView(SnippetIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.request.user.has_perm("quizzes.change_question"):
            buttons.append(
                MenuItem(
                    _("Regrade attempts"),
                    url=reverse("quizzes_questions:regrade", args=[instance.pk]),
                    icon_name="repeat",
                    priority=40,
                )
            )
        return buttons


class QuestionViewSet(SnippetViewSet):
    model = Question
    index_view_class = QuestionIndexView
    icon = "help"
    menu_label = _("Question bank")
    menu_order = 200
    url_prefix = "quizzes/questions"
    url_namespace = "quizzes_questions"
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionForm)
    list_display = [
        "name",
        Column("type", label=_("Type"), accessor="get_type_display"),
        "category",
        "mark",
        "version",
        DateColumn("updated_at", label=_("Updated")),
    ]
    filterset_class = QuestionFilterSet
    search_fields = ["name", "text"]
    copy_view_enabled = True

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "regrade/<int:pk>/", admin_views.RegradeView.as_view(), name="regrade"
            ),
        ]

    def get_queryset(self, request):
        return Question.objects.select_related("category")


class QuestionCategoryIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        user = self.request.user
        if user.has_perm("quizzes.view_question"):
            buttons.append(
                MenuItem(
                    _("Export as GIFT"),
                    url=reverse("quizzes_categories:export", args=[instance.pk]),
                    icon_name="download",
                    priority=40,
                )
            )
        if user.has_perm("quizzes.add_question"):
            buttons.append(
                MenuItem(
                    _("Import questions here"),
                    url=reverse("quizzes_import:upload") + f"?category={instance.pk}",
                    icon_name="upload",
                    priority=50,
                )
            )
        return buttons


class QuestionCategoryViewSet(ModelViewSet):
    model = QuestionCategory
    index_view_class = QuestionCategoryIndexView
    icon = "folder-open-inverse"
    menu_label = _("Question categories")
    menu_order = 300
    url_prefix = "quizzes/categories"
    url_namespace = "quizzes_categories"
    form_fields = ["name", "parent", "description"]
    list_display = [
        TitleColumn("path", label=_("Category"), url_name="quizzes_categories:edit"),
        Column("question_count", label=_("Questions")),
    ]
    search_fields = ["name", "path"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return QuestionCategory.objects.annotate(question_count=Count("questions"))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "export/<int:pk>/",
                admin_views.CategoryExportView.as_view(),
                name="export",
            ),
        ]


class QuestionImportViewSet(ViewSet):
    name = "quizzes_import"
    url_prefix = "quizzes/import"
    icon = "upload"
    menu_icon = "upload"
    menu_label = _("Import questions")
    menu_order = 400

    def get_urlpatterns(self):
        return [
            path("", admin_views.QuestionImportView.as_view(), name="upload"),
            path(
                "preview/",
                admin_views.QuestionImportPreviewView.as_view(),
                name="preview",
            ),
        ]

    @property
    def menu_url(self):
        return reverse("quizzes_import:upload")

    @cached_property
    def menu_item_class(self):
        def is_shown(_item, request):
            return request.user.has_perm("quizzes.add_question")

        return type("QuestionImportMenuItem", (AdminMenuItem,), {"is_shown": is_shown})


class EssayResponseFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("ungraded", _("Ungraded")), ("graded", _("Graded"))],
        method="filter_status",
        empty_label=_("All"),
    )
    course = django_filters.ModelChoiceFilter(
        label=_("Course"),
        field_name="attempt__enrolment__course",
        queryset=CoursePage.objects.order_by("title"),
    )
    quiz = django_filters.ModelChoiceFilter(
        label=_("Quiz"), field_name="attempt__quiz", queryset=Quiz.objects.all()
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"),
        field_name="attempt__enrolment__agency",
        queryset=Agency.objects.order_by("name"),
    )

    class Meta:
        model = EssayResponse
        fields = []

    def filter_status(self, queryset, name, value):
        if value == "ungraded":
            return queryset.filter(graded_at__isnull=True)
        if value == "graded":
            return queryset.filter(graded_at__isnull=False)
        return queryset


class EssayIndexView(generic.IndexView):
    """Only the essays the user may grade (see selectors.essays_visible_to)."""

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_grade_essays(request.user):
            return admin_views.forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.essays_visible_to(self.request.user).select_related(
            "attempt__quiz",
            "attempt__learner",
            "attempt__enrolment__course",
            "attempt__enrolment__agency",
        )

    def get_edit_url(self, instance):
        return admin_views.grade_url(instance)

    def get_list_more_buttons(self, instance):
        return [
            MenuItem(
                _("Grade") if not instance.is_graded else _("Change grade"),
                url=admin_views.grade_url(instance),
                icon_name="edit",
                priority=10,
            )
        ]


class EssayResponseViewSet(ModelViewSet):
    """The grading queue. Trainers and administrators see every course's essays."""

    model = EssayResponse
    icon = "edit"
    menu_label = _("Essays to grade")
    menu_order = 500
    url_prefix = "quizzes/essays"
    url_namespace = "quizzes_essays"
    index_view_class = EssayIndexView
    filterset_class = EssayResponseFilterSet
    copy_view_enabled = False
    list_per_page = 50
    list_display = [
        TitleColumn(
            "learner",
            label=_("Learner"),
            accessor="attempt.learner",
            get_url=admin_views.grade_url,
        ),
        Column("quiz", label=_("Quiz"), accessor="attempt.quiz"),
        Column("course", label=_("Course"), accessor="attempt.enrolment.course"),
        Column("agency", label=_("Agency"), accessor="attempt.enrolment.agency"),
        DateColumn("submitted_at", label=_("Submitted")),
        BooleanColumn("is_graded", label=_("Graded")),
        Column("marks", label=_("Marks")),
    ]

    def get_common_view_kwargs(self, **kwargs):
        kwargs = super().get_common_view_kwargs(**kwargs)
        kwargs.update(
            add_url_name=None,
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
        )
        return kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("grade/<int:pk>/", admin_views.EssayGradeView.as_view(), name="grade"),
        ]


class QuizOverrideCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class QuizOverrideViewSet(ModelViewSet):
    model = QuizOverride
    icon = "time"
    menu_label = _("Overrides")
    menu_order = 600
    url_prefix = "quizzes/overrides"
    url_namespace = "quizzes_overrides"
    add_view_class = QuizOverrideCreateView
    form_fields = [
        "quiz",
        "learner",
        "extra_minutes",
        "extra_attempts",
        "opens_at",
        "closes_at",
        "reason",
    ]
    list_display = [
        "__str__",
        "extra_minutes",
        "extra_attempts",
        "closes_at",
        "reason",
        "created_by",
    ]
    list_filter = ["quiz"]
    search_fields = ["learner__full_name", "learner__email", "reason"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return QuizOverride.objects.select_related("quiz", "learner", "created_by")


class RegradeLogViewSet(ModelViewSet):
    model = RegradeLog
    icon = "repeat"
    menu_label = _("Regrade records")
    menu_order = 700
    url_prefix = "quizzes/regrades"
    url_namespace = "quizzes_regrades"
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "attempt",
        "question",
        "old_marks",
        "new_marks",
        "old_score",
        "new_score",
        "regraded_by",
        DateColumn("created_at", label=_("Regraded")),
    ]
    list_filter = ["question"]

    def get_queryset(self, request):
        return RegradeLog.objects.select_related(
            "attempt__quiz", "attempt__learner", "question", "regraded_by"
        )

    def get_common_view_kwargs(self, **kwargs):
        kwargs = super().get_common_view_kwargs(**kwargs)
        kwargs.update(add_url_name=None, edit_url_name=None, delete_url_name=None)
        return kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
        ]


class QuizzesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Quizzes")
    menu_icon = "tasks"
    menu_order = 250
    items = (
        QuizViewSet,
        QuestionViewSet,
        QuestionCategoryViewSet,
        QuestionImportViewSet,
        EssayResponseViewSet,
        QuizOverrideViewSet,
        RegradeLogViewSet,
    )
