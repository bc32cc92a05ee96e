"""One module per SDTM domain (or group of domains): assemble raw forms, apply the spec's mappings.

Each module exposes ``build_<domain>(raw, spec, ...) -> pandas.DataFrame`` returning the dataset
conformed to its spec (variables, order, types, sort order).
"""
