"""`/api/knowledge/articles/`: the knowledge base through the same services and visibility
rule as the pages (staff: every article; customer contacts: published public ones, read
only)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api_errors import errors
from core.errors import TransitionForbidden
from knowledge import permissions as may
from knowledge import selectors
from knowledge.api.serializers import (
    ArticleInputSerializer,
    ArticleSerializer,
    FromTicketSerializer,
)
from knowledge.models import Article
from knowledge.services import article_change, article_create, article_from_ticket
from tickets.api.views import IDEMPOTENCY_PARAMETER
from tickets.selectors import ticket_by_number
from tickets.submissions import api_create_once

_FILTERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description="Search words (Chinese or English): every word in the article, or close "
        "to it; best first.",
    ),
    OpenApiParameter(
        "product", OpenApiTypes.STR, description="Only the articles of this product or model."
    ),
    OpenApiParameter("state", OpenApiTypes.STR, enum=Article.State.values),
]


class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Knowledge articles (知识库, the maintenance manual) the user may read. `POST` writes
    one (the vendor's staff; a draft unless a manager or leader sends `state: published`);
    `PUT`/`PATCH` change it (drafts: any writer; published: managers and leaders);
    `…/from-ticket/` writes one from a resolved ticket's fault report."""

    serializer_class = ArticleSerializer
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Article.objects.none()
        articles = selectors.articles_visible_to(self.request.user)
        params = self.request.query_params
        if "product" in params:
            articles = selectors.articles_of_product(articles, params["product"])
        if "state" in params:
            state = params["state"]
            articles = articles.filter(state=state if state in Article.State.values else "-")
        if self.action == "list":
            return selectors.articles_search(articles, params.get("q", ""))
        return articles

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": self._staff()}

    def _staff(self) -> bool:
        return may.read_all_articles(self.request.user)

    @extend_schema(parameters=_FILTERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _answer(self, article, code=status.HTTP_200_OK):
        fresh = selectors.articles_visible_to(self.request.user).get(pk=article.pk)
        return Response(ArticleSerializer(fresh, context={"staff": self._staff()}).data, code)

    def _ticket(self, number: str, field: str):
        if not number:
            return None
        ticket = ticket_by_number(user=self.request.user, number=number)
        if ticket is None:
            raise ValidationError({field: _("No such ticket visible to you.")})
        return ticket

    @extend_schema(
        request=ArticleInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ArticleSerializer},
    )
    def create(self, request):
        if not may.write_articles(request.user):
            raise TransitionForbidden(_("You may not write knowledge articles."))

        def run():
            serializer = ArticleInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            publish = data.pop("state", None) == Article.State.PUBLISHED
            ticket = self._ticket(data.pop("source_ticket", ""), "source_ticket")
            article = article_create(
                user=request.user, source_ticket=ticket, publish=publish, **data
            )
            return self._answer(article, status.HTTP_201_CREATED)

        # Once per Idempotency-Key: a retry writes one article.
        return api_create_once(request, run)

    def _change(self, request, partial: bool):
        article = self.get_object()
        serializer = ArticleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("source_ticket", None)
        state = data.pop("state", None)
        publish = None if state is None else state == Article.State.PUBLISHED
        article = article_change(article=article, user=request.user, publish=publish, **data)
        return self._answer(article)

    @extend_schema(request=ArticleInputSerializer, responses={200: ArticleSerializer})
    def update(self, request, pk=None):
        return self._change(request, partial=False)

    @extend_schema(request=ArticleInputSerializer, responses={200: ArticleSerializer})
    def partial_update(self, request, pk=None):
        return self._change(request, partial=True)

    @extend_schema(
        request=FromTicketSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ArticleSerializer, **errors(409)},
    )
    @action(detail=False, methods=["post"], url_path="from-ticket")
    def from_ticket(self, request):
        if not may.write_articles(request.user):
            raise TransitionForbidden(_("You may not write knowledge articles."))

        def run():
            serializer = FromTicketSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            ticket = self._ticket(serializer.validated_data["ticket"], "ticket")
            article = article_from_ticket(
                ticket=ticket, user=request.user, publish=serializer.validated_data["publish"]
            )
            return self._answer(article, status.HTTP_201_CREATED)

        return api_create_once(request, run)
