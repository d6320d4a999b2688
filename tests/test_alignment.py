"""Unit tests of eq. 1, the alignment model (chapter 01)."""

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import check_layer_contract

from lstm_attention import AlignmentScores


def energies_reference(s_prev, h, W_a, U_a, b_a, V_a):
    """Eq. 1 for every (t, j) at once with einsum: s_prev (batch, T_y, n), h (batch, T_x, d) -> (batch, T_y, T_x)."""
    hidden = np.tanh(
        np.einsum("btn,nk->btk", s_prev, W_a)[:, :, None, :]
        + np.einsum("bjd,dk->bjk", h, U_a)[:, None, :, :]
        + b_a
    )
    return np.einsum("btjk,k->btj", hidden, V_a)


def random_inputs(batch, T_y, T_x, n, d, seed=0):
    rng = np.random.default_rng(seed)
    s_prev = rng.normal(size=(batch, T_y, n)).astype("float32")
    h = rng.normal(size=(batch, T_x, d)).astype("float32")
    return s_prev, h


def layer_weights(layer):
    return {w.name: ops.convert_to_numpy(w).astype("float64") for w in layer.weights}


@pytest.mark.parametrize(
    "batch, T_x, d, n", [(1, 1, 1, 1), (2, 5, 6, 4), (7, 13, 3, 9), (32, 40, 16, 8)]
)
def test_output_shapes_one_step_and_many(batch, T_x, d, n):
    s_prev, h = random_inputs(batch, 3, T_x, n, d)
    layer = AlignmentScores(units=n)
    one_step = layer([s_prev[:, 0], h])
    many_steps = layer([s_prev, h])
    assert tuple(one_step.shape) == (batch, T_x)
    assert tuple(many_steps.shape) == (batch, 3, T_x)
    assert layer.compute_output_shape([(batch, n), (batch, T_x, d)]) == (batch, T_x)
    assert layer.compute_output_shape([(None, 3, n), (None, None, d)]) == (
        None,
        3,
        None,
    )


def test_weights_have_the_names_and_shapes_of_design():
    layer = AlignmentScores(units=4)
    layer([np.zeros((2, 4), "float32"), np.zeros((2, 5, 6), "float32")])
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [
        ("W_a", (4, 4)),
        ("U_a", (6, 4)),
        ("b_a", (4,)),
        ("V_a", (4,)),
    ]


def test_matches_numpy_reference_with_nonzero_bias():
    s_prev, h = random_inputs(3, 4, 7, 5, 6, seed=1)
    layer = AlignmentScores(units=5)
    layer([s_prev, h])
    layer.b_a.assign(np.linspace(-1, 1, 5))  # the initial bias is zero; make it count
    expected = energies_reference(s_prev, h, **layer_weights(layer))
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer([s_prev, h])), expected, atol=1e-5
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer([s_prev[:, 2], h])), expected[:, 2], atol=1e-5
    )


def test_project_once_then_score_equals_calling_the_layer():
    s_prev, h = random_inputs(2, 3, 6, 4, 5, seed=2)
    layer = AlignmentScores(units=4)
    whole = ops.convert_to_numpy(layer([s_prev, h]))
    projected = layer.project_encoder_outputs(h)
    for t in range(3):
        np.testing.assert_allclose(
            ops.convert_to_numpy(layer.score(s_prev[:, t], projected)),
            whole[:, t],
            atol=1e-6,
        )


def test_matches_keras_additive_attention_scores():
    s_prev, h = random_inputs(2, 3, 6, 4, 5, seed=3)
    layer = AlignmentScores(units=4)
    energies = ops.convert_to_numpy(layer([s_prev, h]))
    query, keys = ops.matmul(s_prev, layer.W_a), layer.project_encoder_outputs(h)
    additive = keras.layers.AdditiveAttention(use_scale=True)
    additive([query, keys, keys])
    additive.scale.assign(layer.V_a)
    np.testing.assert_allclose(
        ops.convert_to_numpy(additive._calculate_scores(query, keys)),
        energies,
        atol=1e-5,
    )


def test_layer_contract(tmp_path):
    # Config and .keras round trips, shape inference with T_x unknown; no mask.
    s_prev, h = random_inputs(3, 5, 9, 4, 6, seed=4)
    layer = AlignmentScores(units=4, name="align")
    result = check_layer_contract(
        layer, [s_prev, h], tmp_path, input_shapes=[(5, 4), (None, 6)]
    )
    assert result.clone.units == 4 and result.clone.name == "align"
    assert result.output.shape == (3, 5, 9)
    expected = energies_reference(s_prev, h, **layer_weights(layer))
    np.testing.assert_allclose(result.output, expected, atol=1e-5)


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", None, True])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match="`units` must be a positive integer"):
        AlignmentScores(units=units)


def test_numpy_integer_units_are_accepted():
    assert AlignmentScores(units=np.int64(3)).units == 3


@pytest.mark.parametrize(
    "s_shape, h_shape, message",
    [
        ((2, 4), (2, 6), r"h \(the encoder outputs\) must have rank 3"),
        ((2, 4), (2, 5, 6, 1), r"h \(the encoder outputs\) must have rank 3"),
        ((4,), (2, 5, 6), r"s_prev \(the decoder state\) must have rank 2"),
        ((2, 1, 1, 4), (2, 5, 6), r"s_prev \(the decoder state\) must have rank 2"),
        (
            (2, 3),
            (2, 5, 6),
            r"s_prev has size 3 in its last dimension, but the layer has units=4",
        ),
        ((3, 4), (2, 5, 6), "different batch sizes, 3 and 2"),
    ],
)
def test_bad_shapes_raise_a_clear_error(s_shape, h_shape, message):
    layer = AlignmentScores(units=4)
    with pytest.raises(ValueError, match=message):
        layer([np.zeros(s_shape, "float32"), np.zeros(h_shape, "float32")])


def test_encoder_size_must_match_the_built_layer():
    layer = AlignmentScores(units=4)
    layer([np.zeros((2, 4), "float32"), np.zeros((2, 5, 6), "float32")])
    with pytest.raises(
        ValueError,
        match="h has size 7 in its last dimension, but the layer was built for .* d=6",
    ):
        layer([np.zeros((2, 4), "float32"), np.zeros((2, 5, 7), "float32")])


def test_a_single_tensor_is_not_two_inputs():
    with pytest.raises(ValueError, match=r"expects two inputs, \[s_prev, h\]"):
        AlignmentScores(units=4)(np.zeros((2, 5, 4), "float32"))


def test_unknown_encoder_size_is_rejected_in_a_functional_model():
    with pytest.raises(ValueError, match="last dimension of h .* must be known"):
        AlignmentScores(units=4)([keras.Input((4,)), keras.Input((5, None))])
