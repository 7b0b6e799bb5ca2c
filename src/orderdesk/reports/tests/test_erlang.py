"""Erlang C against published values.

Sources:
- pyworkforce 0.5.2 documentation, "Solving Queue Problems with ErlangC"
  (https://pyworkforce.readthedocs.io/en/0.5.2/tutorials/erlangc_example.html): 100 calls per
  30 minutes, AHT 3 minutes, 80% within 20 s, shrinkage 30% → raw_positions 14, positions 20,
  service_level 0.888, occupancy 0.714, waiting_probability 0.174. The same example as Call
  Centre Helper's "Erlang C Formula – Made Simple With an Easy Worked Example" (10 erlangs;
  with 11 agents a call waits with probability 68.2%).
- "The Erlang-C Formula" worked example (Mitan Ltd., also in Westbay's calculator manual):
  360 calls per half hour, 4 minutes, 55 agents → probability of waiting 0.2387, average speed
  of answer 8.18 s, 15 s service level 0.8459."""

import math

from orderdesk.reports.erlang import agents_needed, erlang_c, service_level


def test_call_centre_helper_example():
    plan = agents_needed(calls_per_hour=200, aht_s=180, target_sl=0.8, target_s=20, shrinkage=0.3)
    assert plan.agents == 14
    assert plan.scheduled == 20
    assert round(plan.service_level, 3) == 0.888
    assert round(plan.occupancy, 3) == 0.714
    assert round(plan.waiting_probability, 3) == 0.174
    assert round(erlang_c(traffic=10, agents=11), 3) == 0.682
    assert service_level(traffic=10, agents=13, aht_s=180, target_s=20) < 0.8  # 13 is not enough


def test_mitan_example():
    traffic = 720 * 240 / 3600  # 360 calls per half hour, 4 minutes each: 48 erlangs
    waits = erlang_c(traffic=traffic, agents=55)
    assert round(waits, 4) == 0.2387
    assert round(waits * 240 / (55 - traffic), 2) == 8.18  # average speed of answer
    assert round(service_level(traffic=traffic, agents=55, aht_s=240, target_s=15), 4) == 0.8459


def test_no_calls_need_no_agents():
    plan = agents_needed(calls_per_hour=0, aht_s=180)
    assert (plan.agents, plan.scheduled, plan.service_level) == (0, 0, 1.0)


def test_too_few_agents_always_wait():
    assert erlang_c(traffic=10, agents=10) == 1.0
    assert service_level(traffic=10, agents=9, aht_s=180, target_s=20) == 0.0


def test_large_traffic_stays_finite():
    plan = agents_needed(calls_per_hour=36000, aht_s=300)  # 3000 erlangs: factorials overflow
    assert 3000 < plan.agents < 3100
    assert math.isfinite(plan.service_level) and plan.service_level >= 0.8
