from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    """What a person may change about themself; the agency is not among it."""

    class Meta:
        model = User
        fields = ["full_name", "position", "preferred_language"]
        labels = {
            "full_name": _("Full name"),
            "position": _("Position"),
            "preferred_language": _("Interface language"),
        }

    def clean_full_name(self):
        value = self.cleaned_data["full_name"].strip()
        if not value:
            raise forms.ValidationError(_("Please enter your full name."))
        return value
