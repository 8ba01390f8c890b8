"""The per-process cache behind the policy, SLA book, keyword lists, model version and rosters."""

from __future__ import annotations

from escalation.process_cache import ProcessCache


def test_values_are_kept_per_key_until_forgotten_or_rejected(settings):
    settings.ESCALATION_POLICY_TTL = 60
    builds = []
    cache = ProcessCache(lambda team: builds.append(team) or {"team": team, "members": {1, 2}})

    assert cache.get(7) is cache.get(7) and builds == [7]
    cache.get(8)
    assert builds == [7, 8]
    cache.get(7, usable=lambda roster: {1, 2, 3} <= roster["members"])  # a new member: reload
    assert builds == [7, 8, 7]
    cache.forget()
    cache.get(8)
    assert builds == [7, 8, 7, 8]


def test_a_zero_ttl_rebuilds_every_time(settings):
    settings.ESCALATION_POLICY_TTL = 0
    builds = []
    cache = ProcessCache(lambda: builds.append(1) or len(builds))
    assert (cache.get(), cache.get()) == (1, 2)
