"""The rules the hub applies, one module per concern, each plain functions over records.

- ``sensors``: sensor state and threshold alarms (ISA-18.2 handling lands here);
- ``cases``: the case clock (the full lifecycle and working-hour clocks land here).

Geofences, KPIs and the workflow table join as modules of their own.  Rules
read their numbers from the city's tables, never from constants of a city.
"""
