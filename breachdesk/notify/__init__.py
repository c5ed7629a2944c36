"""Customer notices and their delivery: render, approve, sign and send, exactly once per row.

The flow: ``plan`` turns an incident's affected set into one outbox row per
customer (``adapter`` is the only module that reads the incident and law areas);
``preview``/``approve`` gate sending on operator approval of the rendered
templates; ``sender`` claims rows under a lease and delivers them through SMTP,
DKIM-signed per entity; ``bounces`` and ``missing`` close the loop.
"""
