"""One module per conformance rule, each with a ``check`` function.

Which rules exist, their IDs, severities and publisher IDs are data: the catalogue
(aclf_cdisc/checks/catalogue.yaml, loaded by :mod:`aclf_cdisc.checks.catalogue`) names each module
once. Modules starting with ``_`` hold shared helpers.
"""
