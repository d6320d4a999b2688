"""The shared input checks of `lstm_attention.validation` (chapter 01), on their own and as the layers use them."""

import keras
import numpy as np
import pytest

from lstm_attention import alignment, validation
from lstm_attention.validation import (
    batch_size,
    check_inputs,
    check_last_dimension_known,
    check_matches_built,
    check_matches_setting,
    check_rank,
    check_same_batch,
    check_step_inputs,
    positive_integer,
    static_shape,
)


class Probe:
    """A stand-in layer: the checks read only its class name, `built`, its settings and its weights' shapes."""

    def __init__(self, built=False, units=4, weight_shape=(6, 4)):
        self.built = built
        self.units = units
        self.U_a = np.zeros(weight_shape)


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.int32(12)])
def test_positive_integer_returns_a_python_int(value):
    result = positive_integer("units", value)
    assert result == int(value) and type(result) is int


@pytest.mark.parametrize("value", [0, -2, 2.0, 1.5, "4", None, True, False])
def test_positive_integer_rejects_everything_else_naming_the_argument(value):
    with pytest.raises(
        ValueError, match=rf"`output_dim` must be a positive integer; got {value!r}\."
    ):
        positive_integer("output_dim", value)


def test_static_shape_from_tensors_shapes_and_symbolic_inputs():
    assert static_shape(np.zeros((2, 5, 3))) == (2, 5, 3)
    assert static_shape(keras.ops.zeros((4, 1))) == (4, 1)
    assert static_shape(keras.Input((5, None))) == (None, 5, None)
    assert (
        static_shape([2, np.int64(3)]) == (2, 3)
        and type(static_shape([np.int64(3)])[0]) is int
    )


def test_batch_size_is_the_first_known_first_dimension():
    assert batch_size([(None, 4), (3, 2), (5, 1)]) == 3
    assert batch_size([(None, 4), (None, 2)]) is None


def test_check_inputs_returns_the_static_shapes_of_tensors_or_shapes():
    shapes = check_inputs(
        Probe(), [np.zeros((2, 4)), (None, 5, 6)], ["s_prev", "h"], ["a", "b"]
    )
    assert shapes == [(2, 4), (None, 5, 6)]


@pytest.mark.parametrize(
    "inputs, got",
    [
        (np.zeros((3, 2, 4)), r"got one tensor of shape \(3, 2, 4\)\."),
        (
            (None, 2, 4),
            r"got one tensor of shape \(None, 2, 4\)\.",
        ),  # the shape of one tensor, from `build`
        ([np.zeros((2, 5))], r"got 1 inputs of shapes \[\(2, 5\)\]\."),
        (
            [np.zeros((2, 5)), np.zeros((2, 4)), np.zeros((2, 6))],
            r"got 3 inputs of shapes \[\(2, 5\), \(2, 4\), \(2, 6\)\]",
        ),
        (7, r"got 7\."),
    ],
)
def test_check_inputs_names_the_inputs_it_expects_and_what_it_got(inputs, got):
    message = (
        r"Probe expects two inputs, \[s_prev, h\]: the decoder state and the encoder outputs; "
        + got
    )
    with pytest.raises(ValueError, match=message):
        check_inputs(
            Probe(),
            inputs,
            ["s_prev", "h"],
            ["the decoder state", "the encoder outputs"],
        )


def test_check_inputs_counts_three():
    names, meanings = (
        ["y_prev", "s_prev", "c"],
        ["the previous output", "the decoder state", "the context vector"],
    )
    with pytest.raises(
        ValueError,
        match=r"expects three inputs, \[y_prev, s_prev, c\]: the previous output, the "
        r"decoder state and the context vector; got 2 inputs",
    ):
        check_inputs(Probe(), [(2, 5), (2, 4)], names, meanings)


def test_check_rank_accepts_any_listed_layout_and_names_them_all_otherwise():
    assert check_rank(
        Probe(), "s_prev", (2, 4), ("batch", "n"), ("batch", "T_y", "n")
    ) == (2, 4)
    assert check_rank(
        Probe(), "s_prev", (2, 3, 4), ("batch", "n"), ("batch", "T_y", "n")
    ) == (2, 3, 4)
    message = r"Probe: s_prev \(the state\) must have rank 2, \(batch, n\), or rank 3, \(batch, T_y, n\); got shape \(4,\)\."
    with pytest.raises(ValueError, match=message):
        check_rank(
            Probe(), "s_prev (the state)", (4,), ("batch", "n"), ("batch", "T_y", "n")
        )
    with pytest.raises(
        ValueError, match=r"must have rank 3, \(batch, T_x, d\); got shape \(\)\."
    ):
        check_rank(Probe(), "h", (), ("batch", "T_x", "d"))


def test_check_last_dimension_known():
    check_last_dimension_known(Probe(), "h (d)", (None, 5, 6))
    with pytest.raises(
        ValueError, match=r"Probe: the last dimension of h \(d\) must be known\."
    ):
        check_last_dimension_known(Probe(), "h (d)", (None, 5, None))


def test_check_matches_setting_ignores_unknown_sizes():
    check_matches_setting(Probe(units=4), "s_prev", (2, 4), "units")
    check_matches_setting(Probe(units=4), "s_prev", (2, None), "units")
    with pytest.raises(
        ValueError,
        match=r"Probe: s_prev has size 3 in its last dimension, but the layer has units=4\.",
    ):
        check_matches_setting(Probe(units=4), "s_prev", (2, 3), "units")


def test_check_matches_built_only_checks_a_built_layer():
    check_matches_built(
        Probe(built=False), "h", (2, 5, 7), "U_a", "encoder outputs of size d"
    )
    check_matches_built(
        Probe(built=True), "h", (2, 5, 6), "U_a", "encoder outputs of size d"
    )
    message = r"Probe: h has size 7 in its last dimension, but the layer was built for encoder outputs of size d=6\."
    with pytest.raises(ValueError, match=message):
        check_matches_built(
            Probe(built=True), "h", (2, 5, 7), "U_a", "encoder outputs of size d"
        )


def test_check_same_batch_ignores_unknown_sizes_and_lists_all_of_them():
    check_same_batch(Probe(), ["s_prev", "h"], [(2, 4), (2, 5, 6)])
    check_same_batch(Probe(), ["y_prev", "s_prev", "c"], [(None, 5), (2, 4), (None, 6)])
    with pytest.raises(
        ValueError, match=r"Probe: s_prev and h have different batch sizes, 3 and 2\."
    ):
        check_same_batch(Probe(), ["s_prev", "h"], [(3, 4), (2, 5, 6)])
    with pytest.raises(
        ValueError,
        match=r"y_prev, s_prev and c have different batch sizes, None, 2 and 3\.",
    ):
        check_same_batch(
            Probe(), ["y_prev", "s_prev", "c"], [(None, 5), (2, 4), (3, 6)]
        )


def test_every_layer_of_chapters_1_to_5_uses_the_shared_checks():
    import lstm_attention.context
    import lstm_attention.gates
    import lstm_attention.output
    import lstm_attention.softmax

    for module in (alignment, lstm_attention.softmax, lstm_attention.context):
        assert module.check_rank is validation.check_rank, module.__name__
    # The two layers of one decoder step check [y_prev, s_prev, c] with one helper.
    for module in (lstm_attention.gates, lstm_attention.output):
        assert module.check_step_inputs is validation.check_step_inputs, module.__name__


def test_check_step_inputs_returns_the_three_shapes_and_names_what_is_wrong():
    shapes = check_step_inputs(Probe(), [(2, 5), (2, 4), (2, 6)])
    assert [tuple(shape) for shape in shapes] == [(2, 5), (2, 4), (2, 6)]
    with pytest.raises(
        ValueError, match=r"Probe expects three inputs, \[y_prev, s_prev, c\]"
    ):
        check_step_inputs(Probe(), [(2, 5), (2, 4)])
    with pytest.raises(
        ValueError,
        match=r"Probe: c \(the context vector\) must have rank 2, \(batch, d\)",
    ):
        check_step_inputs(Probe(), [(2, 5), (2, 4), (2, 3, 6)])
    with pytest.raises(
        ValueError, match=r"y_prev, s_prev and c have different batch sizes"
    ):
        check_step_inputs(Probe(), [(2, 5), (3, 4), (2, 6)])
