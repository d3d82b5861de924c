"""Files into and out of a room: the one upload pipeline, for pages and the API alike.

- ``accept.py``: ``accept()``, the way every upload becomes a recorded change: receive,
  check the real type, stage, record (what the action records wakes the scanner
  and nudges the open pages after its commit).
- ``record.py``: the record step's domain actions, the pipeline's only domain calls.
- ``upload_stream.py``: the receive step: a multipart body to temporary files in
  constant memory, hashed on the way; ``base64_files.py``: the small base64 files of
  a JSON body, to the same temporary files.
- ``staging.py``: files stored for a change not recorded yet, removed unless it is.
- ``downloads.py``: serving a stored attachment (pages and API).
- ``csrf.py``: the page upload routes' own CSRF check, before the body is read.

Used by ``app.web`` and ``app.api``; imports neither (an import contract).
"""
