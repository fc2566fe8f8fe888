"""The administrators' screen for assigning a course to agencies or people."""

from datetime import datetime, time

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput

from accounts.models import Agency, User
from accounts.permissions import agencies_visible_to, can_manage_agency
from accounts.roles import is_administrator

from .models import CoursePage, Enrolment
from .services import CourseRuleError, assign_course_to_agency, assign_course_to_learner


class AgencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class AssignCourseForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"),
        queryset=CoursePage.objects.live().order_by("title"),
    )
    agencies = AgencyChoiceField(
        label=gettext_lazy("Agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=gettext_lazy(
            "Everyone in each agency and the units below it, "
            "now and when they join later."
        ),
    )
    emails = forms.CharField(
        label=gettext_lazy("People"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Email addresses, one per line."),
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=AdminDateInput,
        help_text=gettext_lazy("Leave blank to use the course's default due period."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["agencies"].queryset = agencies_visible_to(user).filter(
            is_active=True
        )

    def clean_emails(self):
        emails = {
            line.strip().lower()
            for line in self.cleaned_data["emails"].splitlines()
            if line.strip()
        }
        people = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = emails - {p.email for p in people}
        if unknown:
            raise forms.ValidationError(
                _("No active account has these addresses: %(emails)s")
                % {"emails": ", ".join(sorted(unknown))}
            )
        return people

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("agencies") and not cleaned.get("emails"):
            raise forms.ValidationError(_("Choose at least one agency or person."))
        for agency in cleaned.get("agencies") or []:
            if not can_manage_agency(self.user, agency):
                raise forms.ValidationError(
                    _("You cannot assign courses to %s.") % agency
                )
        return cleaned

    @property
    def due_at(self) -> datetime | None:
        due = self.cleaned_data.get("due_date")
        if not due:
            return None
        # Due at the end of that day, local time.
        return timezone.make_aware(datetime.combine(due, time(23, 59, 59)))


class AssignCourseView(WagtailAdminTemplateMixin, FormView):
    form_class = AssignCourseForm
    template_name = "courses/admin/assign.html"
    page_title = gettext_lazy("Assign a course")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not is_administrator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        return {"course": self.request.GET.get("course")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("courses_assign"),
            submit_button_label=_("Assign"),
            submit_button_active_label=_("Assigning…"),
            # The generic form template prints this: the date chooser's script.
            media=context["form"].media,
        )
        return context

    def form_valid(self, form):
        course = form.cleaned_data["course"]
        active = Enrolment.objects.filter(course=course, withdrawn_at__isnull=True)
        before = active.count()
        try:
            for agency in form.cleaned_data["agencies"]:
                assign_course_to_agency(
                    course=course,
                    agency=agency,
                    due_at=form.due_at,
                    assigned_by=self.request.user,
                )
            for person in form.cleaned_data["emails"]:
                assign_course_to_learner(
                    course=course,
                    learner=person,
                    due_at=form.due_at,
                    assigned_by=self.request.user,
                )
        except CourseRuleError as error:
            form.add_error(None, error.reason)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(course)s” assigned: %(count)d new enrolments.")
            % {"course": course.title, "count": active.count() - before},
        )
        return redirect("courses_assign")
