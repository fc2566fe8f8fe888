from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class QuizBlock(blocks.StructBlock):
    """The slot in a lesson where a quiz goes; passing it gates 'Mark as done'."""

    quiz = SnippetChooserBlock("quizzes.Quiz", label=_("Quiz"))
    introduction = blocks.CharBlock(
        label=_("Introduction"),
        required=False,
        help_text=_("A sentence shown above the quiz's start button."),
    )

    class Meta:
        icon = "tasks"
        template = "blocks/quiz_block.html"
        label = _("Quiz")
        description = _("A quiz the learner must pass before marking the lesson done.")
