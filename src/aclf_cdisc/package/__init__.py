"""The submission package: eCTD module 5 layout, atomic build of ``outputs/``."""
