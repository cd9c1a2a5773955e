"""The design model: the layer graph, its validation, its file format and its layout."""
