"""The city as data: its model, the city folder, geocoding, checking and importing."""

from feeds.city.folder import (
    CityError,
    CityFolder,
    Problem,
    demo,
    demo_folder,
    from_bundle,
    load_city,
    open_folder,
)
from feeds.city.model import Area, City, Place, Site

__all__ = [
    "Area",
    "City",
    "CityError",
    "CityFolder",
    "Place",
    "Problem",
    "Site",
    "demo",
    "demo_folder",
    "from_bundle",
    "load_city",
    "open_folder",
]
