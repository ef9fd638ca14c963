"""MQTT payload formats, from the examples in REFERENCE.md §2."""

import pytest

from energize_desktop.live.payloads import PayloadError, detect, discovery, parse

TASMOTA = (b'{"Time":"2018-01-17T18:59:50","ENERGY":{"Total":1.956,"Yesterday":0.054,'
           b'"Today":0.049,"Period":0,"Power":9,"Factor":0.43,"Voltage":231,"Current":0.089}}')


def test_tasmota_sensor():
    values = {v.channel: v for v in parse("tele/plug1/SENSOR", TASMOTA)}
    assert values["plug1 Energy total"].value == 1.956
    assert values["plug1 Energy total"].unit == "kWh"
    assert values["plug1 Energy total"].semantics == "cumulative"
    assert values["plug1 Power"].value == 9 and values["plug1 Power"].unit == "W"
    ts = values["plug1 Power"].ts
    assert ts.tzinfo is None and ts.hour == 18  # local, no offset: placed in the site's zone
    assert parse("tele/plug1/LWT", b"Offline") == []


def test_shelly_gen1_watt_minutes_and_gen2():
    (energy,) = parse("shellies/plug-s/relay/0/energy", b"6000")
    assert energy.value == 100.0 and energy.unit == "Wh"  # 6000 W·min = 100 Wh
    (power,) = parse("shellies/plug-s/relay/0/power", b"42.5")
    assert power.unit == "W"
    gen2 = parse("shellyplus1pm-a8/status/switch:0",
                 b'{"id":0,"apower":12.3,"aenergy":{"total":4567.8}}')
    assert {v.channel: (v.value, v.unit) for v in gen2} == {
        "shellyplus1pm-a8 switch:0 Power": (12.3, "W"),
        "shellyplus1pm-a8 switch:0 Energy total": (4567.8, "Wh")}


def test_zigbee2mqtt_and_plain_and_json_path():
    z = parse("zigbee2mqtt/fridge", b'{"power":80,"energy":12.5,"linkquality":90,"state":"ON"}')
    assert {v.channel for v in z} == {"fridge Power", "fridge Energy total"}
    assert parse("zigbee2mqtt/bridge/state", b'{"state":"online"}') == []
    assert parse("site/main/kw", b" 12.5 ")[0].value == 12.5
    (v,) = parse("site/main", b'{"data":{"kw":3.5},"time":"2024-05-01T10:00:00Z"}',
                 fmt="json", path="data.kw", channel="Main")
    assert v.channel == "Main" and v.value == 3.5 and v.ts.tzinfo is not None


@pytest.mark.parametrize("topic, payload, fmt, message", [
    ("a/b", b"twelve", "number", "expected a number"),
    ("a/b", b"nan", "number", "not a finite number"),
    ("a/b", b"{broken", "json", "expected JSON"),
    ("a/b", b'{"x": 1}', "json", "needs a path"),
    ("a/b", b"1" * 70000, "number", "exceeds"),
    ("shellyplus/status/switch:0", b'{"id":0}', "auto", "no apower"),
])
def test_bad_payloads_name_the_topic(topic, payload, fmt, message):
    with pytest.raises(PayloadError, match=message) as err:
        parse(topic, payload, fmt)
    assert topic in str(err.value)


def test_home_assistant_discovery():
    config = (b'{"name":"Grid import","state_topic":"meters/main/state","unit_of_measurement":'
              b'"kWh","state_class":"total_increasing","device_class":"energy",'
              b'"value_template":"{{ value_json.import.total }}","device":{"name":"Main"}}')
    d = discovery("homeassistant/sensor/main/import/config", config)
    assert (d.state_topic, d.channel, d.unit, d.semantics, d.path) == (
        "meters/main/state", "Main Grid import", "kWh", "cumulative", "import.total")
    assert discovery("homeassistant/sensor/main/import/config", b"") is None
    assert detect("homeassistant/sensor/x/y/config", b"{}") == "homeassistant"
    assert detect("custom/disc/sensor/x/config", b"{}", "custom/disc") == "homeassistant"
