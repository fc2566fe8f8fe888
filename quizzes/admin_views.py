"""Trainer screens in the admin: import, export, regrade, grading, item analysis."""

import secrets

from django.contrib.admin.utils import quote
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import importing, selectors
from .forms import EssayGradeForm, QuestionImportForm
from .models import EssayResponse, Question, QuestionCategory, Quiz
from .services import QuizError, grade_essay, regrade_question


def forbidden(request):
    """A plain 403 (Wagtail would turn a raised PermissionDenied into a redirect)."""
    return TemplateResponse(request, "quizzes/admin/forbidden.html", status=403)


class PermissionRequiredMixin:
    required_permissions: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perms(self.required_permissions):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class AdminPage(PermissionRequiredMixin, WagtailAdminTemplateMixin):
    header_icon = "tasks"
    parent_url_name = ""
    parent_label = ""

    def get_breadcrumbs_items(self):
        items = [*self.breadcrumbs_items]
        if self.parent_url_name:
            items.append(
                {"url": reverse(self.parent_url_name), "label": self.parent_label}
            )
        return [*items, {"url": "", "label": self.get_page_title()}]


# Import ------------------------------------------------------------------------

SESSION_KEY = "quizzes_import"


class QuestionImportView(AdminPage, FormView):
    """Upload or paste a GIFT/Aiken file; it waits in the session for the preview."""

    template_name = "quizzes/admin/import_upload.html"
    form_class = QuestionImportForm
    page_title = gettext_lazy("Import questions")
    header_icon = "upload"
    required_permissions = ("quizzes.add_question",)
    parent_url_name = "quizzes_questions:list"
    parent_label = gettext_lazy("Questions")

    def get_initial(self):
        initial = super().get_initial()
        category_id = self.request.GET.get("category")
        if category_id and category_id.isdigit():
            category = QuestionCategory.objects.filter(pk=category_id).first()
            if category:
                initial["category"] = category.path
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        self.request.session[SESSION_KEY] = {
            "token": secrets.token_urlsafe(16),
            "name": str(data["name"]),
            "content": data["content"],
            "format": data["format"],
            "category": "/".join(QuestionCategory.split_path(data["category"])),
        }
        return redirect("quizzes_import:preview")


class QuestionImportPreviewView(AdminPage, TemplateView):
    """Every question parsed and every error with its line; saves only on confirm."""

    template_name = "quizzes/admin/import_preview.html"
    page_title = gettext_lazy("Check the import")
    header_icon = "upload"
    required_permissions = ("quizzes.add_question",)
    parent_url_name = "quizzes_import:upload"
    parent_label = gettext_lazy("Import questions")

    @cached_property
    def stored(self):
        return self.request.session.get(SESSION_KEY)

    def parse(self):
        return importing.parse_file(self.stored["content"], self.stored["format"])

    def get(self, request, *args, **kwargs):
        if not self.stored:
            messages.warning(request, _("Upload a file first."))
            return redirect("quizzes_import:upload")
        return self.render_to_response(self.get_context_data(result=self.parse()))

    def post(self, request, *args, **kwargs):
        if not self.stored or request.POST.get("token") != self.stored["token"]:
            return HttpResponseBadRequest(
                _("This preview has expired; upload the file again.")
            )
        result = self.parse()
        if result.errors or not result.questions:
            messages.error(
                request, _("Fix the errors in the file and upload it again.")
            )
            return redirect("quizzes_import:preview")
        saved = importing.import_questions(
            questions=result.questions, category_path=self.stored["category"]
        )
        del request.session[SESSION_KEY]
        messages.success(
            request,
            _("%(count)d questions imported.") % {"count": len(saved)},
        )
        return redirect("quizzes_questions:list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result = kwargs["result"]
        context.update(
            {
                "stored": self.stored,
                "questions": [
                    {
                        "item": q,
                        "type_label": Question.Type(q.type).label,
                        "category": q.category or self.stored["category"],
                    }
                    for q in result.questions
                ],
                "errors": result.errors,
                "warnings": result.warnings,
            }
        )
        return context


# Export ------------------------------------------------------------------------


class CategoryExportView(PermissionRequiredMixin, View):
    """A category and its subcategories as a GIFT file download."""

    required_permissions = ("quizzes.view_question",)

    def get(self, request, pk):
        category = get_object_or_404(QuestionCategory, pk=pk)
        text = importing.export_gift(category=category)
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        name = slugify(category.path.replace("/", "-")) or "questions"
        response["Content-Disposition"] = f'attachment; filename="{name}.gift.txt"'
        return response


# Regrade -----------------------------------------------------------------------


class RegradeView(AdminPage, TemplateView):
    """Preview, then apply, a question's new key to submitted attempts showing it."""

    template_name = "quizzes/admin/regrade.html"
    page_title = gettext_lazy("Regrade attempts")
    header_icon = "repeat"
    required_permissions = ("quizzes.change_question",)
    parent_url_name = "quizzes_questions:list"
    parent_label = gettext_lazy("Questions")

    @cached_property
    def question(self):
        return get_object_or_404(Question, pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.question.name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = regrade_question(
            question=self.question, regraded_by=self.request.user, dry_run=True
        )
        context.update({"question": self.question, "preview": preview})
        return context

    def post(self, request, pk):
        logs = regrade_question(question=self.question, regraded_by=request.user)
        messages.success(
            request,
            _("%(count)d answers regraded.") % {"count": len(logs)},
        )
        return redirect(reverse("quizzes_regrades:index") + f"?question={pk}")


# Item analysis -----------------------------------------------------------------


class ItemAnalysisView(AdminPage, TemplateView):
    """Per question: how many answered, % right, how often each option was chosen."""

    template_name = "quizzes/admin/item_analysis.html"
    page_title = gettext_lazy("Item analysis")
    header_icon = "table"
    required_permissions = ("quizzes.view_quiz",)
    parent_url_name = "quizzes_quizzes:list"
    parent_label = gettext_lazy("Quizzes")

    @cached_property
    def quiz(self):
        return get_object_or_404(Quiz, pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return self.quiz.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"quiz": self.quiz, "rows": selectors.item_analysis(self.quiz)})
        return context


# Essay grading -------------------------------------------------------------------


class EssayGradeView(AdminPage, FormView):
    """The rubric, the sanitised answer and a comment; saving emails the learner."""

    template_name = "quizzes/admin/essay_grade.html"
    page_title = gettext_lazy("Grade an essay")
    header_icon = "edit"
    required_permissions = ("quizzes.change_essayresponse",)
    parent_url_name = "quizzes_essays:index"
    parent_label = gettext_lazy("Essays to grade")
    form_class = EssayGradeForm

    def dispatch(self, request, *args, **kwargs):
        if not selectors.can_grade_essays(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def response(self):
        visible = selectors.essays_visible_to(self.request.user).select_related(
            "attempt__quiz",
            "attempt__learner",
            "attempt__enrolment__course",
            "attempt__enrolment__agency",
            "graded_by",
        )
        try:
            return visible.get(pk=self.kwargs["pk"])
        except EssayResponse.DoesNotExist as exc:
            raise Http404 from exc

    @cached_property
    def snapshot(self):
        return next(
            s
            for s in self.response.attempt.questions
            if s["key"] == self.response.question_key
        )

    def get_page_subtitle(self):
        return str(self.response.attempt.learner)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            rubric=self.snapshot.get("rubric", []), max_marks=self.response.max_marks
        )
        return kwargs

    def get_initial(self):
        initial = {"comment": self.response.comment}
        for index, points in enumerate(self.response.rubric_scores or []):
            initial[f"criterion_{index}"] = points
        if self.response.marks is not None and not self.snapshot.get("rubric"):
            initial["marks"] = self.response.marks
        return initial

    def form_valid(self, form):
        try:
            grade_essay(
                response=self.response,
                grader=self.request.user,
                points=form.points(),
                marks=form.cleaned_data.get("marks"),
                comment=form.cleaned_data["comment"],
            )
        except QuizError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Grade saved; %(learner)s will get an email.")
            % {"learner": self.response.attempt.learner},
        )
        return redirect("quizzes_essays:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "essay": self.response,
                "attempt": self.response.attempt,
                "snapshot": self.snapshot,
                "words": len(
                    (
                        self.response.attempt.answers.get(self.response.question_key)
                        or ""
                    ).split()
                ),
            }
        )
        return context


def grade_url(response: EssayResponse) -> str:
    return reverse("quizzes_essays:grade", args=[quote(response.pk)])
