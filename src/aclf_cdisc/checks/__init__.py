"""Checks run on every build: spec-generated pandera schemas and conformance rules.

Each conformance rule lives in its own module under :mod:`aclf_cdisc.checks.rules`, carries a
stable ID (the Pinnacle 21 / FDA validator ID where one exists), a title, a default severity and
a function returning the failing records as Issues (an empty list means the rule passed).
"""
