"""Experiments: sweeps over a design's settings, their trials, costs and trade-offs.

Plain Python on top of the training engine (no Qt): a sweep names setting paths
(:mod:`engine.experiments.paths`), expands them into trials
(:mod:`engine.experiments.plan`), validates every trial before any trains, and
runs them one after another with the app's own training code
(:mod:`engine.experiments.sweep`); the front of accuracy against cost is
:mod:`engine.experiments.pareto`.  A search (:mod:`engine.experiments.search`) chooses each
next trial from the scores so far instead of fixing them first.
"""
