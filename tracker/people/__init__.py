"""People's personal data, encrypted per person so that a person can be erased (issue 18).

``crypto``: pseudonyms and sealing (pure); ``sealing``: which event fields hold whom, and
turning events into their sealed form and back (pure, given a keyring); ``keys``: the
``person_keys`` table; ``store``: the event store wrapper that seals on the way in and opens
on the way out; ``erasure``: erasing a person.
"""
