"""Alert stage: an outbox in the database, delivered through Apprise.

Modules: ``policy`` (what goes where, when), ``outbox`` (enqueue / deliver / digest),
``messages`` (rendering), ``redact`` (secrets out of every string shown), ``errors``.
"""
