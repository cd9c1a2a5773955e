"""Catalog entries: recurrent."""

from __future__ import annotations

from typing import Any

from engine.schema import layer_rules as R
from engine.schema.layer_spec import LAYERS, MAIN_OUTPUT, OutPort, Port, add
from engine.schema.layers.shared import activation, conv_params, initializer, units, use_bias
from engine.schema.params import (
    ACTIVATIONS,
    BOOL,
    CHOICE,
    FLOAT,
    LAYER,
    Param,
)


def _rnn_params(default_activation: str = "tanh", gru: bool = False, lstm: bool = False) -> list[Param]:
    out = [
        units(32, "Size of the hidden state."),
        activation(default_activation, "Function applied to the new state."),
    ]
    if gru or lstm:
        out.append(
            Param(
                "recurrent_activation", CHOICE, "sigmoid", "Function used by the gates.", choices=ACTIVATIONS
            )
        )
    out += [
        use_bias(),
        Param("dropout", FLOAT, 0.0, "Fraction of inputs dropped while training.", min=0, max=1),
        Param("recurrent_dropout", FLOAT, 0.0, "Fraction of the state dropped while training.", min=0, max=1),
        Param("return_sequences", BOOL, False, "Output every step (for stacking RNNs), not just the last."),
        Param(
            "return_state",
            BOOL,
            False,
            "Also output the final state, e.g. to start a decoder from it (an encoder-decoder).",
        ),
        Param("go_backwards", BOOL, False, "Read the sequence backwards."),
    ]
    if lstm:
        out.append(Param("unit_forget_bias", BOOL, True, "Start the forget gate open (helps learning)."))
    if gru:
        out.append(
            Param("reset_after", BOOL, True, "Apply the reset gate after the matrix product (cuDNN style).")
        )
    return out


_SEQUENCES = Port("sequences", help="the sequence to read (batch, timesteps, features)")


def _rnn_ports(states: tuple[str, ...]) -> dict[str, Any]:
    """An RNN's inputs (the sequence, optional initial states) and outputs (output, final states)."""
    return {
        "ports": (
            _SEQUENCES,
            *(
                Port(f"initial_{s}", False, "a starting state, e.g. an encoder's last", "initial_state", i)
                for i, s in enumerate(states)
            ),
        ),
        "outputs": (
            MAIN_OUTPUT,
            *(OutPort(s, "return_state", "the final state (with return_state)") for s in states),
        ),
    }


add(
    "SimpleRNN",
    "Recurrent",
    "The plain recurrent layer: a state updated at every time step.",
    R.rnn("SimpleRNN"),
    *_rnn_params(),
    **_rnn_ports(("state",)),
)
add(
    "LSTM",
    "Recurrent",
    "Long Short-Term Memory: gated recurrent layer that remembers long ranges.",
    R.rnn("LSTM"),
    *_rnn_params(lstm=True),
    **_rnn_ports(("state_h", "state_c")),
)
add(
    "GRU",
    "Recurrent",
    "Gated Recurrent Unit: a lighter LSTM.",
    R.rnn("GRU"),
    *_rnn_params(gru=True),
    **_rnn_ports(("state",)),
)
for _rank in (1, 2):
    add(
        f"ConvLSTM{_rank}D",
        "Recurrent",
        "An LSTM whose gates are convolutions: reads a sequence of "
        f"{'sequences' if _rank == 1 else 'images (e.g. video frames)'} and keeps their spatial layout.",
        R.conv_lstm(_rank),
        *conv_params(_rank, "Number of filters (output channels) of each gate."),
        activation("tanh", "Function applied to the new state."),
        Param("recurrent_activation", CHOICE, "sigmoid", "Function used by the gates.", choices=ACTIVATIONS),
        use_bias(),
        initializer("kernel_initializer", "glorot_uniform"),
        initializer("recurrent_initializer", "orthogonal"),
        initializer("bias_initializer", "zeros"),
        Param("unit_forget_bias", BOOL, True, "Start the forget gate open (helps learning)."),
        Param("dropout", FLOAT, 0.0, "Fraction of inputs dropped while training.", min=0, max=1),
        Param("recurrent_dropout", FLOAT, 0.0, "Fraction of the state dropped while training.", min=0, max=1),
        Param("return_sequences", BOOL, False, "Output every step (for stacking), not just the last."),
        Param("go_backwards", BOOL, False, "Read the sequence backwards."),
    )
add(
    "Bidirectional",
    "Recurrent",
    "Runs a recurrent layer (LSTM, GRU or SimpleRNN) forwards and backwards and joins the results.",
    R.bidirectional,
    Param(
        "layer",
        LAYER,
        {"type": "LSTM", "params": {"units": 32}},
        "The recurrent layer to run both ways.",
        choices=("SimpleRNN", "LSTM", "GRU"),
        required=True,
        positional=True,
    ),
    Param(
        "merge_mode",
        CHOICE,
        "concat",
        "How the two directions are joined.",
        choices=("concat", "sum", "mul", "ave"),
    ),
    # With the wrapped layer's return_state: the output, then the forward layer's final
    # states, then the backward layer's, in Keras's order (``out, fh, fc, bh, bc = bi(x)``).
    outputs=(
        MAIN_OUTPUT,
        *(
            OutPort(
                f"{way}_{state}",
                "layer.return_state",
                f"the {way} layer's final state (with the wrapped layer's return_state)",
                kinds,
            )
            for way in ("forward", "backward")
            for state, kinds in (
                ("h", ("LSTM",)),  # short names: five ports share one card's edge
                ("c", ("LSTM",)),
                ("state", ("GRU", "SimpleRNN")),
            )
        ),
    ),
)

# The layers TimeDistributed offers to wrap: per-step work on sequences of vectors or images.
TIME_DISTRIBUTED_CHOICES = (
    "Dense",
    "Conv1D",
    "Conv2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "GlobalAveragePooling2D",
    "Flatten",
    "Dropout",
)
add(
    "TimeDistributed",
    "Recurrent",
    "Applies one layer to every time step of a sequence, with the same weights "
    "(e.g. Conv2D to each video frame).",
    R.time_distributed(lambda t: LAYERS[t].rule),
    Param(
        "layer",
        LAYER,
        {"type": "Dense", "params": {"units": 32}},
        "The layer applied to each step.",
        choices=TIME_DISTRIBUTED_CHOICES,
        required=True,
        positional=True,
    ),
)
