"""Content-free notifications to applicants and caseworkers, planned from events.

A notification names the authority, the case reference, what is needed (a reply,
documents, a decision to retrieve) and the deadline, with a link; never a message
text or an attachment. Each is one ``Notification`` row per person and channel,
keyed by its cause (``dedupe_key``) so that the same cause never produces a second
notice, planned in the transaction of the change that caused it
(:mod:`rooms.outbound.notify.planning`):

- the authority posts a message (``reply``) or a document request (``documents``);
- a decision can be retrieved (``decision.made_available`` → ``decision``; the
  decision's own timeline item is not announced, so a decision is told once);
- an open document request's deadline comes near (``reminder``) or passed (``overdue``),
  planned by ``do_plan_reminders``, which the worker calls periodically;
- the applicant side writes or uploads: each caseworker of the room gets one
  ``digest`` row per digest window (hourly or daily), never one per message.

A preference that says "no e-mail" (or no known address) gives a ``skipped`` row,
so that the plan shows why nobody was told. Postbox rows are planned only for the
channels the deployment configured (:func:`rooms.outbound.notify.policy.configure`):
a plan is never written for a channel that cannot send.

A worker claims due rows (:func:`rooms.outbound.notify.queue.claim_due`), sends them
and records the outcome (``do_mark_sent``, ``do_mark_undeliverable``,
``do_mark_retry``).

The modules: ``kinds`` (channels, reasons, digest periods, realms, languages),
``policy`` (what the deployment configured), ``preferences`` (each person's own),
``recipients`` (the people of a room's two sides), ``planning`` (who is told of
what), ``queue`` (claiming and marking), ``warnings`` (undeliverable notices, for
the caseworker).
"""
