"""The rules the hub applies, one module per concern, each plain functions over records.

- ``alarms``: the alarm engine (ISA-18.2: limits, delays, rate, silence, chattering, the
  operator's acknowledge, shelve and out of service) and a sensor's state from a reading;
- ``fleet``: what each GPS fix says against the city's fences and per-kind limits (off route,
  driving in forbidden hours, overspeed, standing, silence), handed to the alarm engine;
- ``cases``: what each workflow step does to a case, and the stage clocks.

KPIs join as a module of their own.  Rules
read their numbers from the city's tables, never from constants of a city.
"""
