"""Datasets: loading (built-in, CSV, NumPy, image folders) and preparing them for a design."""
