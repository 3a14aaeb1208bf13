"""Calibration of the fragmented status quo to published Dutch figures (``make calibrate``).

Modules: `targets` (the published targets and how the model is observed against
them), `observe` (the observation model on one run's tables), `fit` (the
parameters, the loss and the bounded least-squares fit with common random
numbers), `writeback` (fitted values into the scenario files, keeping comments
and order) and `report` (``docs/calibration.md``). The networked result is never
calibrated: only the fragmented preset is run here.
"""
