"""Data shipped with the application: the theme, translations and the demo city folder.

Read through :mod:`importlib.resources` (``files("resources")``), so an
installed wheel finds them as a checkout does.
"""
