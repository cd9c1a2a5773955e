"""The training workspace: a session (state and signals) and the small views that show it."""
