"""Decide: who must be told, by whom, by when, and why not elsewhere.

``situation`` (input and output models), ``rules`` (YAML jurisdiction files),
``engine.assess`` (the obligations engine), ``deadlines`` (time-zone and business-day
arithmetic), ``register`` (the always-due internal record), ``risk`` (ENISA 2013).
"""
