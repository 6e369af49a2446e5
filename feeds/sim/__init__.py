"""The simulator: a producer that plays a believable city into the hub.

``world`` is the seeded play (no I/O), ``texts`` the words of its reports and
of its people, ``uplink`` the asyncio shell that feeds the play to a hub;
``people`` decides what the hall's people do to each case (no I/O), ``crew``
signs them in and sends their steps.
"""

from feeds.sim.uplink import MAX_UNACKED, HubRefused, SimStats, Uplink, run_simulator
from feeds.sim.world import SCENARIOS, CityPlay

__all__ = ["MAX_UNACKED", "SCENARIOS", "CityPlay", "HubRefused", "SimStats", "Uplink", "run_simulator"]
