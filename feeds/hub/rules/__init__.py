"""The rules the hub applies, one module per concern, each plain functions over records.

- ``alarms``: the alarm engine (ISA-18.2: limits, delays, rate, silence, chattering, the
  operator's acknowledge, shelve and out of service) and a sensor's state from a reading;
- ``cases``: what each workflow step does to a case, and the stage clocks.

Geofences, KPIs and the workflow table join as modules of their own.  Rules
read their numbers from the city's tables, never from constants of a city.
"""
