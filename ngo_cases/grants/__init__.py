"""Object grants: the one mechanism that decides who may do what with one
object (a case, a referral, …). See :mod:`ngo_cases.grants.models` for the
rows and :mod:`ngo_cases.grants.access` for their SQL, writes and access
list; docs/architecture.md shows what a new object type needs."""
