"""ADaM derivations: one function per module, named by what it adds (admiral vocabulary).

Each takes plain DataFrames with ADaMIG-named columns (the defaults) and returns a new frame;
inputs are never mutated and existing variables or PARAMCDs are never overwritten. A derivation
that adds columns returns a shallow copy of its input with them: under pandas' copy-on-write the
two frames share the input's columns until either writes one, so the input stays as it was
without its every column being copied.
"""

from .compute_ctp_class import compute_ctp_class
from .compute_ctp_points import compute_ctp_points
from .compute_ctp_score import compute_ctp_score
from .compute_meld import compute_meld
from .compute_meld_na import compute_meld_na
from .compute_unit_conversions import compute_unit_conversions
from .convert_to_unit import convert_to_unit
from .derive_param_computed import derive_param_computed
from .derive_param_tte import derive_param_tte
from .derive_var_ablfl import derive_var_ablfl
from .derive_var_anrind import derive_var_anrind
from .derive_var_extreme_flag import derive_var_extreme_flag
from .derive_var_max_severity_flag import derive_var_max_severity_flag
from .derive_var_trtemfl import derive_var_trtemfl
from .derive_var_trtseq import derive_var_trtseq
from .derive_vars_ap_dates import derive_vars_ap_dates
from .derive_vars_avisit_windows import derive_vars_avisit_windows
from .derive_vars_base_chg_pchg import derive_vars_base_chg_pchg
from .derive_vars_dt import derive_vars_dt
from .derive_vars_dy import derive_vars_dy
from .derive_vars_period import derive_vars_period
from .on_or_after_start import on_or_after_start

__all__ = [
    "compute_ctp_class",
    "compute_ctp_points",
    "compute_ctp_score",
    "compute_meld",
    "compute_meld_na",
    "compute_unit_conversions",
    "convert_to_unit",
    "derive_param_computed",
    "derive_param_tte",
    "derive_var_ablfl",
    "derive_var_anrind",
    "derive_var_extreme_flag",
    "derive_var_max_severity_flag",
    "derive_var_trtemfl",
    "derive_var_trtseq",
    "derive_vars_ap_dates",
    "derive_vars_avisit_windows",
    "derive_vars_base_chg_pchg",
    "derive_vars_dt",
    "derive_vars_dy",
    "derive_vars_period",
    "on_or_after_start",
]
