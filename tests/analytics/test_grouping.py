"""Several GROUP BYs over one set of rows in one statement (analytics.grouping), on the conftest history."""

from __future__ import annotations

from django.db.models import Count, F

from analytics.grouping import Grouping, grouped
from analytics.metrics.escalation_groups import GROUPINGS, escalation_groups
from helpdesk.models import TicketEvent
from tests.analytics.story import two_weeks

ESCALATIONS = TicketEvent.objects.filter(code__startswith="escalation.")


def test_groupings_of_different_key_types_come_back_by_name(escalation_history):
    # Text, integer and joined keys in one UNION: PostgreSQL must not see a NULL column typed as text.
    source = ESCALATIONS.values("ticket_id", "trigger", "from_team_id", team_name=F("ticket__team__name"))
    result = grouped(
        source,
        {
            "trigger": Grouping(("trigger",), {"events": "COUNT(*)"}),
            "team": Grouping(("from_team_id",), {"tickets": "COUNT(DISTINCT ticket_id)"}),
            "sla_by_name": Grouping(
                ("team_name",), {"events": "COUNT(*)"}, where="trigger = %s", params=("sla",)
            ),
        },
    )
    by_trigger = ESCALATIONS.values("trigger").annotate(events=Count("pk")).order_by()
    assert {r["trigger"]: r["events"] for r in result["trigger"]} == {
        r["trigger"]: r["events"] for r in by_trigger
    }
    by_team = ESCALATIONS.values("from_team_id").annotate(tickets=Count("ticket", distinct=True)).order_by()
    assert {r["from_team_id"]: r["tickets"] for r in result["team"]} == {
        r["from_team_id"]: r["tickets"] for r in by_team
    }
    sla = (
        ESCALATIONS.filter(trigger="sla")
        .values(team_name=F("ticket__team__name"))
        .annotate(events=Count("pk"))
    )
    assert {r["team_name"]: r["events"] for r in result["sla_by_name"]} == {
        r["team_name"]: r["events"] for r in sla.order_by()
    }
    assert set(result["team"][0]) == {"from_team_id", "tickets"}  # only its own keys and measures


def test_one_pass_gives_what_each_grouping_gives_alone(escalation_history):
    together = escalation_groups(two_weeks())
    for name in GROUPINGS:
        alone = escalation_groups(two_weeks(), name)[name]
        assert sorted(map(repr, together[name])) == sorted(map(repr, alone)), name
        assert together[name], name  # the history has rows for every grouping


def test_no_groupings_no_query(django_assert_num_queries, escalation_history):
    with django_assert_num_queries(0):
        assert grouped(ESCALATIONS.values("ticket_id"), {}) == {}
