"""What each SDTM builder hands to its dataset spec's ``map`` rules, so the spec can be checked first.

A builder assembles raw forms into one frame of ``form.COLUMN`` columns and lets
:func:`aclf_cdisc.sdtm.mapping.apply_mappings` carry out the spec's rules with the builder's
registry of derivations. A ``source`` the frame has no column for, or a ``function`` the registry
does not hold, could only fail there, in the middle of a build; each builder module states its
:class:`MapInputs` beside its registry, and the spec loader checks every SDTM dataset spec
against :func:`map_inputs` (``spec.map-source-not-read``, ``spec.map-function-unknown``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MapInputs:
    """The raw forms a builder assembles whole (every declared column, as ``form.COLUMN``), the
    single ``form.COLUMN`` columns it joins from other forms, and the derivations it can run."""

    forms: tuple[str, ...]
    derivations: frozenset[str]
    columns: tuple[str, ...] = ()

    def reads(self, source: str) -> bool:
        """True when a ``form.COLUMN`` source is a column of the assembled frame.

        >>> MapInputs(forms=("dm",), derivations=frozenset(), columns=("ic.ICVER",)).reads("ic.ICVER")
        True
        >>> MapInputs(forms=("dm",), derivations=frozenset()).reads("lb.LBORRES")
        False
        """
        return source.partition(".")[0] in self.forms or source in self.columns

    def read_text(self) -> str:
        """What a message says the builder reads: its forms and joined columns."""
        forms = ", ".join(f"form {form}" for form in self.forms)
        return forms + (f" and {', '.join(self.columns)}" if self.columns else "")


def joined_columns(joined: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``{"ic": ("ICVER",)}`` -> ``("ic.ICVER",)``."""
    return tuple(f"{form}.{column}" for form, columns in joined.items() for column in columns)


def map_inputs() -> dict[str, MapInputs]:
    """Every SDTM dataset whose builder applies the spec's map rules -> what those rules may name."""
    from aclf_cdisc.sdtm.domains import ae, dm, ec, ex, lb, pr, rs, sv

    return {module.DOMAIN: module.MAP_INPUTS for module in (ae, dm, ec, ex, lb, pr, rs, sv)}
