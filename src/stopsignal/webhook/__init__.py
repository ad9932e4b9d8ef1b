"""The admission webhook: a pure review function and a thin HTTPS server around it.

``review`` decides (no I/O); ``app`` is a raw ASGI application that parses, limits,
measures and logs; ``server`` runs it on uvicorn with a TLS context that reloads its
certificate. Rules and fixes come from the shared engine, never from here.
"""
