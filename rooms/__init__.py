"""The domain of Antragsraum: rooms, participants, timeline, receipts, audit.

This package never imports the web layer (``app``), Litestar or Jinja2.
"""
