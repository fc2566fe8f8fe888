"""Admin forms: question authoring rules, bank import, essay grading."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import QuestionCategory
from .rules import question_problems

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _live_rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        if not form.is_valid():
            continue
        data = form.cleaned_data
        if data and not data.get("DELETE"):
            rows.append(data)
    return rows


class QuestionForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        qtype = cleaned.get("type")
        if qtype:
            options = _live_rows(self.formsets["options"])
            rubric = _live_rows(self.formsets["rubric_criteria"])
            for problem in question_problems(qtype, options, rubric):
                self.add_error(None, problem)
        return cleaned


class QuestionImportForm(forms.Form):
    FORMATS = [("gift", "GIFT"), ("aiken", "Aiken")]

    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A UTF-8 text file."),
    )
    text = forms.CharField(
        label=_("Or paste the questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="gift")
    category = forms.CharField(
        label=_("Category"),
        max_length=1000,
        help_text=_(
            "Where questions go, as a path such as “Phát ngôn/Cơ bản”; missing "
            "categories are created. A $CATEGORY line in a GIFT file wins."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        paths = QuestionCategory.objects.values_list("path", flat=True)[:200]
        self.fields["category"].widget.attrs["list"] = "category-paths"
        self.category_paths = list(paths)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload:
            if upload.size > MAX_IMPORT_BYTES:
                raise ValidationError(_("The file is larger than 2 MB."))
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(_("The file is not UTF-8 text.")) from exc
        if not text.strip():
            raise ValidationError(_("Choose a file or paste some questions."))
        if not QuestionCategory.split_path(cleaned.get("category", "")):
            self.add_error("category", _("Give a category path."))
        cleaned["content"] = text
        cleaned["name"] = upload.name if upload else _("pasted text")
        return cleaned


class EssayGradeForm(forms.Form):
    """One field per rubric criterion, or a single marks field without a rubric."""

    comment = forms.CharField(
        label=_("Comment for the learner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, rubric: list[dict], max_marks: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        if rubric:
            for index, criterion in enumerate(rubric):
                points = Decimal(criterion["points"])
                self.fields[f"criterion_{index}"] = forms.DecimalField(
                    label=f"{criterion['title']} (0–{points.normalize()})",
                    help_text=criterion.get("description", ""),
                    min_value=0,
                    max_value=points,
                    decimal_places=2,
                )
        else:
            self.fields["marks"] = forms.DecimalField(
                label=_("Marks (0–%(max)s)") % {"max": max_marks.normalize()},
                min_value=0,
                max_value=max_marks,
                decimal_places=2,
            )
        self.order_fields([*[f"criterion_{i}" for i in range(len(rubric))], "marks"])

    def points(self) -> list[Decimal] | None:
        if not self.rubric:
            return None
        return [self.cleaned_data[f"criterion_{i}"] for i in range(len(self.rubric))]
