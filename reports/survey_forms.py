"""Forms of the satisfaction pages: the questionnaire a contact answers, a return-visit call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import Question
from reports.surveys import answer_field

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class SurveyAnswerForm(forms.Form):
    """One field per question: "question_<id>", rating radios 1..5 or a textarea."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == Question.Kind.RATING:
                field = forms.TypedChoiceField(
                    label=question.text,
                    choices=RATING_CHOICES,
                    coerce=int,
                    required=question.required,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Please choose 1 to 5."),
                        "invalid_choice": _("Choose a rating from 1 to 5."),
                    },
                )
            else:
                field = forms.CharField(
                    label=question.text,
                    required=question.required,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={"required": _("Please answer this question.")},
                )
            field.question = question
            self.fields[answer_field(question)] = field

    def rows(self):
        """(question, bound field) pairs, in the questionnaire's order."""
        return [(question, self[answer_field(question)]) for question in self.questions]

    def answers(self) -> dict:
        return {
            question.pk: self.cleaned_data.get(answer_field(question))
            for question in self.questions
        }


class ReturnVisitForm(forms.Form):
    reached = forms.BooleanField(label=_("customer reached"), required=False, initial=True)
    score = forms.TypedChoiceField(
        label=_("satisfaction"),
        choices=[("", _("no score")), *RATING_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    answers = forms.CharField(
        label=_("what the customer said"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up = forms.CharField(
        label=_("follow-up needed"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
