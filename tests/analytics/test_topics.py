"""Topics: clusters of escalated tickets, their weekly growth, and whether an article covers them."""

from __future__ import annotations

import pytest

from analytics.metrics.topics import topics_report
from helpdesk.models import Article
from tests.analytics.story import two_weeks

SSO = [
    ("SSO login fails", "Our users cannot login through SSO. Okta shows a SAML error."),
    ("SAML error at single sign-on", "Single sign-on with SAML stopped working, login fails for everyone."),
    ("Okta SSO redirect loop", "The Okta SSO login redirects forever, SAML assertion rejected."),
    ("Cannot login with SSO", "SSO login broken since the SAML certificate changed in Okta."),
    ("SAML certificate expired", "The SAML certificate expired and SSO login is broken."),
    ("Okta login error", "Okta single sign-on login gives a SAML error for new users."),
]
REFUNDS = [
    ("Refund for double charge", "We were charged twice on the invoice and want a refund."),
    ("Requesting a refund", "Please refund the invoice, we cancelled the plan last month."),
    ("Charged twice", "Our card was charged twice, we want the money back as a refund."),
    ("Refund not received", "The refund you promised for the invoice has not arrived."),
    ("Invoice refund request", "We paid the invoice twice, please refund the duplicate charge."),
    ("Money back", "We want our money back: refund the annual invoice charge."),
]


@pytest.fixture
def report(story, customer, invoices, tier1, tier2):
    """SSO: 2 escalated in the first week, 4 in the second. Refunds: 5 in the first week, 1 in the second.
    One published article explains SSO set-up; none covers refunds."""
    week_one = [0, 5, 10, 15, 20, 25, 30]
    week_two = [170, 175, 180, 185, 190]
    moments = {"sso": week_one[:2] + week_two[:4], "refund": week_one[2:] + week_two[4:]}
    for key, texts in (("sso", SSO), ("refund", REFUNDS)):
        for hours, (subject, body) in zip(moments[key], texts, strict=True):
            ticket = story.ticket(customer, invoices, hours=hours, subject=subject, body=body)
            story.escalate(ticket, hours + 1)
    story.ticket(customer, invoices, hours=40, subject="SSO question", body="How do I turn on SSO?")
    Article.objects.create(
        title="Setting up SSO with SAML and Okta",
        body="If SSO login fails with a SAML error, check the Okta certificate and the single sign-on settings.",
    )
    return topics_report(two_weeks())


def topic_with(report, term):
    return next(r for r in report.table("topics").rows if term in r["terms"].split(", "))


def test_escalated_tickets_fall_into_two_topics(report):
    rows = report.table("topics").rows
    assert [r["tickets"] for r in rows] == [6, 6]
    assert topic_with(report, "sso") is not topic_with(report, "refund")


def test_topic_growth_compares_the_last_seven_days_with_the_seven_before(report):
    sso, refund = topic_with(report, "sso"), topic_with(report, "refund")
    assert (sso["this_week"], sso["last_week"], sso["growth"]) == (4, 2, 1.0)
    assert (refund["this_week"], refund["last_week"], refund["growth"]) == (1, 5, -0.8)
    assert sso["share_this_week"] == 0.8  # 4 of this week's 5 escalated tickets
    # 4 of 5 tickets, 2 -> 4: too few to claim a share or a rise.
    assert report.highlights == []


def test_a_topic_is_covered_when_an_article_is_close_to_it(report):
    sso, refund = topic_with(report, "sso"), topic_with(report, "refund")
    assert (sso["covered"], sso["article"]) == ("yes", "Setting up SSO with SAML and Okta")
    assert (refund["covered"], refund["article"]) == ("no", "")
    assert {s.key: s.value for s in report.stats}["uncovered"] == 1


def test_too_few_escalations_give_no_topics_and_say_why(story, customer, invoices, tier1, tier2):
    story.escalate(story.ticket(customer, invoices), 1)
    report = topics_report(two_weeks())
    assert report.table("topics").rows == []
    assert "Too few escalated tickets" in report.notes[0]


def test_identical_texts_do_not_break_the_page(story, customer, invoices, tier1, tier2):
    for hours in range(10):
        story.escalate(story.ticket(customer, invoices, hours=hours), hours + 0.5)
    assert topics_report(two_weeks()).table("topics").rows == []


def test_topics_carry_readable_phrase_labels(report):
    labels = {r["topic"] for r in report.table("topics").rows}
    sso = next(label for label in labels if "sso" in label or "saml" in label)
    refund = next(label for label in labels if "refund" in label or "charged twice" in label)
    for label in (sso, refund):
        assert all(word not in label.split() for word in ("the", "we", "please", "used", "days"))
    assert any(
        " " in part for part in (sso + " / " + refund).split(" / ")
    )  # at least one phrase, not only words


@pytest.mark.parametrize(
    ("last", "this", "alert"),
    [(1, 6, False), (2, 4, False), (0, 4, False), (10, 30, True), (20, 22, False), (5, 14, True)],
)
def test_growth_alerts_need_volume_and_a_significant_test(last, this, alert):
    from analytics.metrics.topics import growth_p_value, significant_growth

    row = {"this_week": this, "last_week": last, "growth_p": growth_p_value(this, last)}
    assert significant_growth(row) is alert


def test_share_interval_is_wide_on_small_counts():
    from analytics.metrics.topics import wilson_interval

    low, high = wilson_interval(4, 5)
    assert low < 0.4 and high > 0.95
    low, high = wilson_interval(40, 50)
    assert 0.66 < low < 0.8 < high < 0.9


def test_growth_p_values_are_corrected_for_the_topics_tested():
    from analytics.metrics.topics import growth_p_value, holm_adjust, significant_growth

    rows = [
        {"this_week": this, "last_week": last, "growth_p": growth_p_value(this, last)}
        for this, last in ((13, 3), (7, 1), (12, 5), (8, 4), (6, 6), (5, 3))
    ]
    holm_adjust(rows)
    # 3 -> 13 alone would pass (p ≈ 0.011); among six topics tested it does not.
    assert rows[0]["growth_p"] < 0.05 and not significant_growth(rows[0])
    strong = [{"this_week": 30, "last_week": 10, "growth_p": growth_p_value(30, 10)}, *rows]
    holm_adjust(strong)
    assert significant_growth(strong[0])


def test_the_coverage_threshold_is_chosen_on_labelled_ticket_article_pairs():
    import numpy as np

    from analytics.metrics.topics import COVERED_SIMILARITY, validate_threshold

    rng = np.random.default_rng(0)
    categories = ["Invoices"] * 30 + ["SSO"] * 30
    # Column 0: the invoice article, column 1: the SSO article. Matching pairs score 0.35-0.6, others 0-0.2.
    similarity = np.zeros((60, 2))
    for i, category in enumerate(categories):
        match = 0 if category == "Invoices" else 1
        similarity[i, match] = rng.uniform(0.35, 0.6)
        similarity[i, 1 - match] = rng.uniform(0.0, 0.2)
    validation = validate_threshold(similarity, categories, [{"Invoices"}, {"SSO"}])
    assert validation.validated and (validation.positives, validation.negatives) == (60, 60)
    assert 0.2 < validation.threshold <= 0.36
    assert validation.precision == 1.0 and validation.recall == 1.0
    # Articles without categories label nothing: the default stays, and the page says so.
    fallback = validate_threshold(similarity, categories, [set(), set()])
    assert not fallback.validated and fallback.threshold == COVERED_SIMILARITY
