"""Fitting a design on its data, with plain callbacks for progress, pause and stop."""
