"""Optuna studies over the settings: search space, objectives, storage, the study loop, show and apply."""
