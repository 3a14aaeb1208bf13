"""Running and analysing many runs of the model (sweeps, paired comparisons).

This package imports `sim`; `sim` never imports it.
"""
