"""SDTM: raw EDC forms to SDTMIG 3.4 domains.

Shared primitives (one derivation each) sit in this package's modules; one module per domain
under :mod:`aclf_cdisc.sdtm.domains` assembles its raw forms and lets :func:`apply_mappings`
carry out the spec's mapping rules.
"""
