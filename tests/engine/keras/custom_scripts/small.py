"""A small model with a layer class of its own and a Lambda, as keras-io examples write them."""

import keras
from keras import layers, ops

units = 8


class Gate(layers.Layer):
    """x * sigmoid(w), one weight per feature."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="zeros")

    def call(self, x):
        return x * ops.sigmoid(self.w) * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


inputs = keras.Input(shape=(6,))
x = layers.Dense(units, activation="relu")(inputs)
x = Gate(2.0)(x)
x = layers.Lambda(lambda t: ops.square(t) + 1.0)(x)
outputs = layers.Dense(3, activation="softmax")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
