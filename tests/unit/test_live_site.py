"""Live meters go to a site of their own unless the connection names one (issue 23: 60 s of
Modbus data in the demo's site moved its Overview to today, 0 kWh and a "nan" finding)."""

import pytest

from energize_desktop.core.errors import ValidationError
from energize_desktop.core.model import Meter, Site
from energize_desktop.live.acquisition import LIVE_SITE, live_site
from energize_desktop.live.sources_config import SourcesConfig


def test_by_default_live_meters_get_their_own_site(ws):
    building = ws.add_site(Site("Office", "Europe/London"))
    site = live_site(ws, SourcesConfig())
    assert site.name == LIVE_SITE and site.id != building.id
    assert live_site(ws, SourcesConfig()).id == site.id  # found again, not made twice


def test_the_connection_names_the_site_and_an_old_live_site_is_kept(ws):
    building = ws.add_site(Site("Office", "Europe/London"))
    assert live_site(ws, SourcesConfig(site="Office")).id == building.id
    plant = live_site(ws, SourcesConfig(site="Plant room"))
    assert plant.name == "Plant room"
    ws.add_meters([Meter("PM – Power", "electricity", "kW", "instantaneous", site_id=plant.id,
                         source={"protocol": "modbus", "device": "PM"})])
    assert live_site(ws, SourcesConfig()).id == plant.id  # where its meters already are


def test_the_site_line_round_trips_and_a_bad_one_is_named(tmp_path):
    config = SourcesConfig(site="Plant room")
    assert SourcesConfig.loads(config.dump(), "c.toml").site == "Plant room"
    with pytest.raises(ValidationError, match="site = 3"):
        SourcesConfig.loads("site = 3\n", "c.toml")
