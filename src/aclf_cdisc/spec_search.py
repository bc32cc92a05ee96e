"""How commands find the study's specs, in words: one place for every ``--help`` and error.

Kept apart from :mod:`aclf_cdisc.spec` (which imports the schema machinery) so that building
the command line imports nothing heavy. The search itself is
:func:`aclf_cdisc.spec.loader.locate_spec_root`.
"""

SPECS_ENV = "ACLF_SPECS"
SPECS_SEARCH = ("--specs DIR, else $ACLF_SPECS, else ./specs in the current folder or a parent, "
                "else the specs/ of the source checkout the program runs from")
SPECS_HELP = (f"the specs folder, holding study.yaml (also ${SPECS_ENV}). Found by: {SPECS_SEARCH}; "
              "the build's summary says which was used. The study's specs do not ship inside the "
              "installed package")
