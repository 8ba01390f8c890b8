from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk.models import Status
from helpdesk.services import csat_submit, errors
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_customer_rates_a_resolved_ticket_once(customer):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    csat = csat_submit(ticket=ticket, customer=customer, score=4, comment=" Quick! ")
    assert (csat.score, csat.comment) == (4, "Quick!")
    assert ticket.events.get(code="csat.rated").to_value == "4"
    with pytest.raises(ValidationError) as exc:
        csat_submit(ticket=ticket, customer=customer, score=5)
    assert exc.value.message_dict["score"] == [errors.ERR_ALREADY_RATED]


@pytest.mark.parametrize("score", [0, 6, -1, True])
def test_scores_outside_one_to_five_are_refused(customer, score):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    with pytest.raises(ValidationError):
        csat_submit(ticket=ticket, customer=customer, score=score)


def test_open_tickets_cannot_be_rated(customer):
    ticket = TicketFactory(customer=customer, status=Status.OPEN)
    with pytest.raises(ValidationError) as exc:
        csat_submit(ticket=ticket, customer=customer, score=5)
    assert exc.value.message_dict["score"] == [errors.ERR_NOT_RATEABLE]


def test_only_the_ticket_customer_can_rate(customer, other_customer):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    with pytest.raises(PermissionDenied):
        csat_submit(ticket=ticket, customer=other_customer, score=5)
