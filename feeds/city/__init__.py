"""The city: its areas, roads, sites and fleet, and the demo city."""

from feeds.city.demo import demo_city
from feeds.city.model import City, District, FleetUnit, Grid, Road, SensorSite

__all__ = ["City", "District", "FleetUnit", "Grid", "Road", "SensorSite", "demo_city"]
