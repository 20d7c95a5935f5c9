"""`make bench`: Harbour's load benchmarks, run against production settings on loopback.

A package (rather than one script) so each scenario lives in its own module under
`bench/scenarios/` and shares the set-up, the load generator and the report; docs/benchmarks.md
explains the method.
"""
