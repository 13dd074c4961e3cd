"""Admin: knowledge articles and their revisions are read here; they are written on their
pages (or the API), whose services check who publishes, keep the revisions and the search
text the trigram index reads."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from knowledge.models import Article, ArticleRevision
from tickets.admin import ReadOnlyInline


class RevisionInline(ReadOnlyInline):
    model = ArticleRevision
    fields = ["revision", "title", "changed_by", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["title", "product", "model", "state", "is_public", "author", "updated_at"]
    list_filter = ["state", "is_public"]
    search_fields = ["title", "product", "model", "symptom"]
    list_select_related = ["author"]
    exclude = ["search_text"]
    inlines = [RevisionInline]
