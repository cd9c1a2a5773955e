"""The Experiments view: sweep a design's settings, see each trial's score against its cost."""
