"""The bridge to Keras: a design built as a ``keras.Model`` and written as a standalone script."""
