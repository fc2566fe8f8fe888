from django.db import models
from django.utils.translation import gettext_lazy as _


class Quiz(models.Model):
    """An assessment placed in a lesson's quiz slot or as a course's final quiz.

    The quizzes app owns everything about questions and attempts; courses only
    learn whether a learner passed and with what score (see
    ``courses.services.record_quiz_result``).
    """

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        help_text=_("The percentage a learner needs to pass."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="quiz_pass_mark_at_most_100"
            )
        ]

    def __str__(self):
        return self.title
