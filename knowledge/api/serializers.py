from django.urls import reverse
from rest_framework import serializers

from knowledge.models import Article


class ArticleSerializer(serializers.ModelSerializer):
    """An article: `steps` as typed (one per line) and `step_list` as the numbered list
    shows them; `state` published or draft. `source_ticket` is the ticket's number, for
    the vendor's staff only (null for customers)."""

    step_list = serializers.ListField(child=serializers.CharField(), read_only=True)
    source_ticket = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "product",
            "model",
            "symptom",
            "cause",
            "steps",
            "step_list",
            "prevention",
            "is_public",
            "state",
            "revision",
            "source_ticket",
            "author",
            "published_at",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = fields

    def _staff(self) -> bool:
        return bool(self.context.get("staff"))

    def get_source_ticket(self, article) -> str | None:
        if not self._staff() or article.source_ticket_id is None:
            return None
        return article.source_ticket.number

    def get_author(self, article) -> str | None:
        if not self._staff():
            return None
        return article.author.get_full_name() or article.author.username

    def get_url(self, article) -> str:
        return reverse("knowledge:article", args=[article.pk])


class ArticleInputSerializer(serializers.Serializer):
    """What is written; the service checks the rest (NUL characters, who publishes)."""

    title = serializers.CharField(max_length=200)
    product = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    model = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    symptom = serializers.CharField(max_length=5000)
    cause = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    steps = serializers.CharField(max_length=10000, help_text="One step per line, in order.")
    prevention = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    is_public = serializers.BooleanField(required=False, default=False)
    state = serializers.ChoiceField(
        choices=Article.State.choices,
        required=False,
        help_text="`published` publishes (managers and leaders); `draft` withdraws.",
    )
    source_ticket = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="The number of the resolved ticket it is written from.",
    )


class FromTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=20, help_text="The resolved ticket's number.")
    publish = serializers.BooleanField(
        required=False, default=False, help_text="Publish at once (managers and leaders)."
    )
