"""Calibration of the fragmented status quo to published Dutch figures (``make calibrate``).

Modules: `targets` (the published targets, how the model is observed against
them, and each target's accepted band), `observe` (the observation model on one
run's tables), `fit` (the calibrated scales and their bounds, and the older
bounded least-squares point fit), `emulator` (a Gaussian-process emulator),
`history_matching` (implausibility and waves), `ensemble` (the accepted members,
their file and the resumable run cache), `writeback` (fitted values into the scenario files, keeping comments
and order) and `report` (``docs/calibration.md``). The networked result is never
calibrated: only the fragmented preset is run here.
"""
