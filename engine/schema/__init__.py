"""What things are: layer types, their parameters and shape rules; losses, optimizers, metrics; datasets."""
