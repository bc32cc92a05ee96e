"""ADaM stage: analysis datasets built from SDTM with the derivations in ``derivations/``.

Event and censoring sources for time-to-event parameters live in ``sources``.
"""

from .sources import CensorSource, EventSource

__all__ = ["CensorSource", "EventSource"]
