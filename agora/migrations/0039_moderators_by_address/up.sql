-- Whether someone moderates, asked from their side (issue 19: signed-in listings). The
-- `moderators` view (0008) joins each elected event to its user by the address written as text,
-- '0x' || encode(account, 'hex'): from a community's side the users' address index answers it,
-- but "which of these communities does user U moderate", asked by every signed-in page (the
-- viewer's standing, api/core/loaders.sql), read every election event there ever was and
-- encoded each account. With this index the user's own events are found by that same
-- expression. Measured on the bench dataset (1,000 events): the viewer state of a 25-post page
-- took 310-380 µs of the backend's CPU before, 145-165 µs after; the events only grow.
CREATE INDEX chain_moderator_events_address
    ON chain_moderator_events (('0x' || encode(account, 'hex')));
