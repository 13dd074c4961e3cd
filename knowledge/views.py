"""Knowledge base pages: the list with its search, an article, writing and changing one
(from scratch or from a resolved ticket), publishing. Staff read every article; customer
contacts the published public ones only (the portal's "Knowledge base")."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.roles import STAFF_ROLES, Role
from core.web import role_required, run_action
from knowledge import permissions as may
from knowledge import selectors
from knowledge.forms import ArticleForm, SearchForm
from knowledge.models import Article
from knowledge.services import article_change, article_create, article_publish, article_withdraw
from tickets.selectors import ticket_by_number
from tickets.submissions import form_post_once

ROLES = (*STAFF_ROLES, Role.CUSTOMER)
LIST_LIMIT = 100


def _not_resolved() -> str:
    return _("Only a resolved or closed ticket can become an article.")


@role_required(*ROLES)
def articles(request):
    user = request.user
    visible = selectors.articles_visible_to(user)
    staff = may.read_all_articles(user)
    search = SearchForm(
        request.GET or None, products=selectors.article_products(visible), show_state=staff
    )
    chosen = search.values()
    found = visible
    if "q" in search.errors:
        found = found.none()
    if chosen.get("product"):
        found = selectors.articles_of_product(found, chosen["product"])
    if chosen.get("state"):
        found = found.filter(state=chosen["state"])
    found = selectors.articles_search(found, chosen.get("q") or "")
    context = {
        "articles": list(found[:LIST_LIMIT]),
        "search": search,
        "query": chosen.get("q") or "",
        "staff": staff,
        "can_write": may.write_articles(user),
    }
    return render(request, "knowledge/articles.html", context)


def _article(request, pk: int) -> Article:
    article = selectors.articles_visible_to(request.user).filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


@role_required(*ROLES)
def article(request, pk: int):
    found = _article(request, pk)
    user = request.user
    staff = may.read_all_articles(user)
    context = {
        "article": found,
        "staff": staff,
        "can_change": may.change_article(found, user),
        "can_publish": may.publish_articles(user),
        "revisions": list(found.revisions.select_related("changed_by")[:20]) if staff else [],
    }
    return render(request, "knowledge/article.html", context)


def _source_ticket(request, number):
    """The resolved ticket an article is written from, if the user may see it."""
    number = number.strip() if isinstance(number, str) else ""
    if not number or "\x00" in number or len(number) > 20:
        return None
    return ticket_by_number(user=request.user, number=number)


@role_required(*STAFF_ROLES)
def new(request):
    """A new article; `?ticket=NUMBER` starts it from that resolved ticket's fault report."""
    user = request.user
    if not may.write_articles(user):
        raise Http404
    can_publish = may.publish_articles(user)
    form = None
    if request.method == "POST":
        form = ArticleForm(request.POST, can_publish=can_publish)

        def create(data):
            ticket = None
            if data.get("source_ticket"):
                ticket = _source_ticket(request, data["source_ticket"])
                if ticket is None or not selectors.ticket_may_become_article(ticket):
                    raise ValidationError({"ticket": _not_resolved()})
            written = article_create(
                user=user,
                title=data["title"],
                product=data["product"],
                model=data["model"],
                symptom=data["symptom"],
                cause=data["cause"],
                steps=data["steps"],
                prevention=data["prevention"],
                is_public=data["is_public"],
                source_ticket=ticket,
                publish=bool(data.get("publish")),
            )
            done = _("Article published.") if written.is_published else _("Draft saved.")
            return done, reverse("knowledge:article", args=[written.pk])

        done = form_post_once(request, form, create)
        if done is not None:
            return done
        ticket = _source_ticket(request, request.POST.get("source_ticket"))
    else:
        ticket = _source_ticket(request, request.GET.get("ticket"))
        initial = {}
        if ticket is not None and selectors.ticket_may_become_article(ticket):
            initial = selectors.article_initial_from_ticket(ticket)
            initial["source_ticket"] = ticket.number
        elif ticket is not None:
            messages.error(request, _not_resolved())
            ticket = None
        form = ArticleForm(initial=initial, can_publish=can_publish)
    context = {"form": form, "ticket": ticket, "article": None}
    return render(request, "knowledge/edit.html", context, status=400 if form.is_bound else 200)


@role_required(*STAFF_ROLES)
def edit(request, pk: int):
    found = _article(request, pk)
    user = request.user
    if not may.change_article(found, user):
        raise Http404
    # "Publish now" on a draft only; a published article has "Withdraw" on its page.
    can_publish = may.publish_articles(user) and not found.is_published
    form = None
    if request.method == "POST":
        form = ArticleForm(request.POST, can_publish=can_publish)

        def change(data):
            values = {field: data[field] for field in ArticleForm.TEXT}
            publish = True if data.get("publish") else None
            article_change(
                article=found, user=user, is_public=data["is_public"], publish=publish, **values
            )
            return _("Article changed."), reverse("knowledge:article", args=[pk])

        done = form_post_once(request, form, change)
        if done is not None:
            return done
    else:
        initial = {field: getattr(found, field) for field in ArticleForm.TEXT}
        initial["is_public"] = found.is_public
        form = ArticleForm(initial=initial, can_publish=can_publish)
    context = {"form": form, "article": found, "ticket": found.source_ticket}
    return render(request, "knowledge/edit.html", context, status=400 if form.is_bound else 200)


@require_POST
@role_required(*STAFF_ROLES)
def publish(request, pk: int, action: str):
    """Publish or withdraw (managers and leaders)."""
    found = _article(request, pk)
    run = {"publish": article_publish, "withdraw": article_withdraw}.get(action)
    if run is None:
        raise Http404
    done = _("Article published.") if action == "publish" else _("Article withdrawn.")
    run_action(request, lambda: run(article=found, user=request.user), success=done)
    return redirect("knowledge:article", pk=pk)
