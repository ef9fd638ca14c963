"""One fault said once: overlapping alarms on a meter and on the meters that contain it (its
parent, a virtual total adding it) are one episode led by the most specific meter."""

from energize_desktop.analytics.events import Event, Kind, Severity
from energize_desktop.jobs.episodes import containers, episodes

H = 3_600_000_000


def _event(meter_id, start_h, end_h, stake=10.0, severity=Severity.WARNING):
    return Event(f"m{meter_id}", start_h * H, end_h * H, Kind.SPIKE, severity, 2.0, "x", "t",
                 meter_id=meter_id, stake=stake)


def test_a_fault_on_a_sub_meter_seen_on_its_parent_and_total_is_one_episode():
    inside = {1: {2, 3}, 2: {3}, 3: set(), 4: {2, 3}}  # 1 and 4 inside 2, all inside total 3
    sub, parent, total = _event(1, 10, 14, 40), _event(2, 11, 15, 60), _event(3, 12, 13, 60)
    elsewhere = _event(4, 30, 31)  # a sibling, another day: its own episode
    sibling_same_time = _event(4, 10, 12)  # siblings are not inside one another
    finding = _event(1, 10, 14, severity=Severity.INFO)
    found = episodes([parent, total, sub, elsewhere, sibling_same_time, finding], inside)
    by_lead = {id(ep.lead): ep for ep in found}
    assert len(found) == 3
    # the sibling joins through the parent it shares at that time; the lead is the most
    # specific meter, the larger stake first among the two sub-meters
    ep = by_lead[id(sub)]
    assert {id(e) for e in ep.also} == {id(parent), id(total), id(sibling_same_time)}
    assert by_lead[id(elsewhere)].also == ()
    assert by_lead[id(finding)].also == ()  # findings are never grouped
    apart = episodes([_event(1, 0, 2), _event(2, 5, 6)], inside)  # not at the same time
    assert len(apart) == 2


def test_containers_follow_parents_and_virtual_terms_up_the_tree(demo_file):
    from energize_desktop.storage import Workspace

    with Workspace.open(demo_file, read_only=True) as ws:
        ids = {m.name: m.id for m in ws.meters()}
        inside = containers(ws)
    assert inside[ids["HVAC"]] >= {ids["Main incomer"], ids["Building consumption"]}
    assert ids["HVAC"] not in inside[ids["Main incomer"]]
    assert inside[ids["Building consumption"]] == set()
