"""Help center pages: browse by category, read, search, vote, and "this solved it"."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from escalation.helpcenter.ranking import public_articles, rank_articles
from escalation.helpcenter.services import article_vote, deflection_record
from helpdesk.models import PUBLIC_ARTICLES, Article, ArticleVote, Category
from helpdesk.permissions import agent_of
from helpdesk.ratelimit import client_address, limit_reached

SEARCH_RESULTS = 20
SUGGESTIONS = 5
QUERY_MAX = 500


def _readable_article(request: HttpRequest, slug: str) -> Article:
    """A public article; drafts and internal-only ones only for support staff (404 for everyone else)."""
    article = Article.objects.prefetch_related("categories").filter(slug=slug).first()
    if article is None:
        raise Http404("No such article.")
    public = Article.objects.filter(PUBLIC_ARTICLES, pk=article.pk).exists()
    article.is_public = public
    if not public and agent_of(request.user) is None and not request.user.is_staff:
        raise Http404("No such article.")
    return article


def index(request: HttpRequest) -> HttpResponse:
    articles = public_articles().order_by("title")
    categories = (
        Category.objects.filter(articles__in=articles)
        .distinct()
        .order_by("name")
        .prefetch_related(Prefetch("articles", queryset=articles, to_attr="public_articles"))
    )
    uncategorized = articles.filter(categories__isnull=True)
    return render(request, "help/index.html", {"categories": categories, "uncategorized": uncategorized})


def article_page(request: HttpRequest, slug: str) -> HttpResponse:
    article = _readable_article(request, slug)
    vote = None
    if request.user.is_authenticated:
        vote = ArticleVote.objects.filter(article=article, voter=f"user:{request.user.pk}").first()
    elif request.session.session_key:
        vote = ArticleVote.objects.filter(
            article=article, voter=f"session:{request.session.session_key}"
        ).first()
    related = [r.article for r in rank_articles(article.title, limit=4) if r.article.pk != article.pk][:3]
    return render(
        request,
        "help/article.html",
        {"article": article, "vote": vote, "related": related, "query": request.GET.get("q", "")[:QUERY_MAX]},
    )


def search(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:QUERY_MAX]
    results = rank_articles(query, limit=SEARCH_RESULTS) if query else []
    return render(request, "help/search.html", {"query": query, "results": results})


@require_POST
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = _readable_article(request, slug)
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect(article.get_absolute_url())
    if not request.user.is_authenticated and not request.session.session_key:
        request.session.save()  # a key of its own, so the visitor's vote counts once
    article_vote(
        article=article,
        user=request.user,
        session_key=request.session.session_key or "",
        helpful=helpful == "yes",
    )
    messages.success(request, _("Thank you for your feedback."))
    return redirect(article.get_absolute_url() + "#feedback")


@require_POST
def solved(request: HttpRequest, slug: str) -> HttpResponse:
    """ "This solved it": the question is answered without a ticket, and counted for the article."""
    article = _readable_article(request, slug)
    deflection_record(article=article, user=request.user, query=request.POST.get("q", ""))
    return render(request, "help/solved.html", {"article": article})


class SuggestApi(APIView):
    """GET /api/articles/suggest/?q= — published articles matching what someone is typing, best first:
    `[{id, title, url, score}]`. Public (no sign-in), limited per client address."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        url = serializers.CharField()
        score = serializers.IntegerField()

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="What the customer is typing.")],
        responses=OutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if limit_reached(
            "suggest", client_address(request), limit=settings.SUGGEST_REQUESTS_PER_MINUTE, window=60
        ):
            return JsonResponse({"detail": "Too many requests: try again in a minute."}, status=429)
        query = (request.query_params.get("q") or "")[:QUERY_MAX]
        ranked = rank_articles(query, limit=SUGGESTIONS)
        rows = [
            {
                "id": r.article.pk,
                "title": r.article.title,
                "url": request.build_absolute_uri(r.article.get_absolute_url()),
                "score": r.score,
            }
            for r in ranked
        ]
        return Response(self.OutputSerializer(rows, many=True).data)
