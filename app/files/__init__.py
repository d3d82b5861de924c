"""Files into and out of a room, shared by the pages and the machine API.

- ``upload_stream.py``: a multipart body to temporary files in constant memory,
  hashed on the way.
- ``staging.py``: files stored for a change not recorded yet, removed unless it is.
- ``downloads.py``: serving a stored attachment (pages and API).
- ``csrf.py``: the upload routes' own CSRF check, before the body is read.

Used by ``app.web`` and ``app.api`` alike; imports neither.
"""
