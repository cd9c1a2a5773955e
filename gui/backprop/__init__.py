"""Backpropagation step by step: the step ledger walked over the canvas."""
