"""Webhook subscriptions of authorities and the deliveries their events set off.

A subscription is an endpoint an authority's admin configured (never a URL from
request data) with its own signing secret. Every event of the authority plans one
delivery per active subscription that wants its type, in the event's transaction.
Delivery workers (one per instance, any number) claim due deliveries with a lease:

- on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent workers get
  disjoint rows; on SQLite the IMMEDIATE write transaction serialises them;
- only the oldest pending delivery of each (subscription, room) is eligible, so a
  room's events arrive in order; a dead letter no longer holds its room back;
- a lease that ran out (a worker killed between sending and marking) makes the
  delivery claimable again: at least once, with the event's stable id.

The modules: ``urls`` (what may be configured, where a delivery may go),
``subscriptions`` (create, disable, list), ``deliveries`` (planned with the event,
claimed, marked; the retry schedule), ``dead_letters`` (the ones that gave up,
and redelivery).
"""
