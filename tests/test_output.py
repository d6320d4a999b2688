"""Unit tests of eq. 8, the output layer (chapter 05)."""

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import check_layer_contract
from numpy_decoder import step

from lstm_attention import (
    AlignmentScores,
    ContextGRUGates,
    OutputDistribution,
    context_vector,
    masked_softmax,
)


def output_reference(y_prev, s_prev, c, W_o, U_o, C_o, b_o):
    """Eq. 8 for a whole batch with einsum and an explicit log-sum-exp: (batch, K), (batch, n), (batch, d) -> (batch, K)."""
    logits = (
        np.einsum("bk,kj->bj", y_prev, W_o)
        + np.einsum("bn,nj->bj", s_prev, U_o)
        + np.einsum("bd,dj->bj", c, C_o)
        + b_o
    )
    largest = logits.max(axis=-1, keepdims=True)
    log_normaliser = largest + np.log(
        np.exp(logits - largest).sum(axis=-1, keepdims=True)
    )
    return np.exp(logits - log_normaliser)


def random_inputs(batch, K, n, d, seed=0):
    """A previous output that is a distribution (as in the decoder), a state and a context vector, float32."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(batch, K))
    y_prev = np.exp(raw) / np.exp(raw).sum(axis=-1, keepdims=True)
    s_prev = np.tanh(rng.normal(size=(batch, n)))
    c = rng.normal(size=(batch, d))
    return y_prev.astype("float32"), s_prev.astype("float32"), c.astype("float32")


def layer_weights(layer):
    return {w.name: ops.convert_to_numpy(w).astype("float64") for w in layer.weights}


@pytest.mark.parametrize(
    "batch, K, n, d",
    [(1, 2, 1, 1), (1, 5, 4, 6), (2, 5, 4, 6), (7, 13, 3, 9), (32, 40, 16, 8)],
)
def test_output_shapes(batch, K, n, d):
    layer = OutputDistribution(output_dim=K)
    y = layer(list(random_inputs(batch, K, n, d)))
    assert tuple(y.shape) == (batch, K)
    assert layer.compute_output_shape([(batch, K), (batch, n), (batch, d)]) == (
        batch,
        K,
    )
    assert layer.compute_output_shape([(None, K), (None, n), (None, d)]) == (None, K)
    assert layer.compute_output_shape([(None, K), (3, n), (None, d)]) == (3, K)


def test_weights_have_the_names_and_shapes_of_design():
    layer = OutputDistribution(output_dim=5)
    layer(
        [
            np.zeros((2, 5), "float32"),
            np.zeros((2, 4), "float32"),
            np.zeros((2, 6), "float32"),
        ]
    )
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [
        ("W_o", (5, 5)),
        ("U_o", (4, 5)),
        ("C_o", (6, 5)),
        ("b_o", (5,)),
    ]


def test_matches_numpy_reference_with_nonzero_bias():
    y_prev, s_prev, c = random_inputs(3, 6, 4, 5, seed=1)
    layer = OutputDistribution(output_dim=6)
    layer([y_prev, s_prev, c])
    layer.b_o.assign(np.linspace(-1, 1, 6))  # the initial bias is zero; make it count
    expected = output_reference(y_prev, s_prev, c, **layer_weights(layer))
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer([y_prev, s_prev, c])), expected, atol=1e-6
    )


def test_each_input_reaches_the_output_through_its_own_matrix():
    y_prev, s_prev, c = random_inputs(2, 4, 3, 5, seed=2)
    layer = OutputDistribution(output_dim=4)
    layer([y_prev, s_prev, c])
    base = ops.convert_to_numpy(layer.logits(y_prev, s_prev, c))
    for index, matrix in enumerate([layer.W_o, layer.U_o, layer.C_o]):
        inputs = [y_prev, s_prev, c]
        inputs[index] = np.zeros_like(inputs[index])
        without = ops.convert_to_numpy(layer.logits(*inputs))
        contribution = np.asarray(
            [y_prev, s_prev, c][index], "float64"
        ) @ ops.convert_to_numpy(matrix)
        np.testing.assert_allclose(base - without, contribution, atol=1e-5)
        assert np.abs(contribution).max() > 1e-2


def test_call_is_the_softmax_of_logits():
    y_prev, s_prev, c = random_inputs(4, 7, 3, 2, seed=3)
    layer = OutputDistribution(output_dim=7)
    y = ops.convert_to_numpy(layer([y_prev, s_prev, c]))
    from_logits = ops.convert_to_numpy(
        ops.softmax(layer.logits(y_prev, s_prev, c), axis=-1)
    )
    np.testing.assert_allclose(y, from_logits, atol=1e-7)


def test_rows_are_distributions():
    y_prev, s_prev, c = random_inputs(16, 9, 5, 4, seed=4)
    layer = OutputDistribution(output_dim=9)
    layer([y_prev, s_prev, c])
    layer.b_o.assign(np.linspace(-3, 3, 9))
    y = ops.convert_to_numpy(layer([y_prev, s_prev, c]))
    assert np.all(y >= 0)
    np.testing.assert_allclose(y.sum(axis=-1), 1, atol=1e-6)


def test_first_step_with_y_0_zero_ignores_W_o():
    _, s_prev, c = random_inputs(3, 5, 4, 6, seed=5)
    y_0 = np.zeros((3, 5), "float32")
    layer = OutputDistribution(output_dim=5)
    before = ops.convert_to_numpy(layer([y_0, s_prev, c]))
    layer.W_o.assign(10 * np.ones((5, 5)))
    np.testing.assert_array_equal(ops.convert_to_numpy(layer([y_0, s_prev, c])), before)


def test_large_inputs_give_a_distribution_not_nan():
    y_prev, s_prev, c = random_inputs(4, 6, 3, 5, seed=6)
    layer = OutputDistribution(output_dim=6)
    layer([y_prev, s_prev, c])
    layer.b_o.assign(np.linspace(-1, 1, 6))
    big = [1e4 * y_prev, 1e4 * s_prev, 1e4 * c]
    logits = ops.convert_to_numpy(layer.logits(*big))
    assert np.abs(logits).max() > 1000  # exp overflows float32 far below this
    y = ops.convert_to_numpy(layer(big))
    assert np.all(np.isfinite(y))
    np.testing.assert_allclose(y.sum(axis=-1), 1, atol=1e-6)
    np.testing.assert_array_equal(y.argmax(axis=-1), logits.argmax(axis=-1))


def test_matches_a_dense_softmax_on_the_concatenated_inputs():
    y_prev, s_prev, c = random_inputs(3, 5, 4, 6, seed=7)
    layer = OutputDistribution(output_dim=5)
    y = ops.convert_to_numpy(layer([y_prev, s_prev, c]))
    dense = keras.layers.Dense(5, activation="softmax")
    stacked = np.concatenate([y_prev, s_prev, c], axis=-1)
    dense(stacked)
    dense.kernel.assign(ops.concatenate([layer.W_o, layer.U_o, layer.C_o], axis=0))
    dense.bias.assign(layer.b_o)
    np.testing.assert_allclose(ops.convert_to_numpy(dense(stacked)), y, atol=1e-6)


@pytest.mark.filterwarnings(
    "ignore:You are using a softmax over axis -1 of a tensor of shape"
)
def test_a_single_output_symbol_gets_probability_one():
    layer = OutputDistribution(output_dim=1)
    y = ops.convert_to_numpy(layer(list(random_inputs(3, 1, 2, 2, seed=9))))
    np.testing.assert_array_equal(y, np.ones((3, 1)))


def test_layer_contract(tmp_path):
    # Config and .keras round trips (every weight drawn at random, b_o included),
    # shape inference; no mask.
    data = list(random_inputs(3, 5, 4, 6, seed=8))
    layer = OutputDistribution(output_dim=5, name="output")
    result = check_layer_contract(layer, data, tmp_path)
    assert result.clone.output_dim == 5 and result.clone.name == "output"
    assert np.all(layer_weights(layer)["b_o"] != 0)
    expected = output_reference(*data, **layer_weights(layer))
    np.testing.assert_allclose(result.output, expected, atol=1e-6)


@pytest.mark.parametrize("output_dim", [0, -3, 2.5, "4", None, True])
def test_output_dim_must_be_a_positive_integer(output_dim):
    with pytest.raises(ValueError, match="`output_dim` must be a positive integer"):
        OutputDistribution(output_dim=output_dim)


def test_numpy_integer_output_dim_is_accepted():
    assert OutputDistribution(output_dim=np.int64(3)).output_dim == 3


@pytest.mark.parametrize(
    "y_shape, s_shape, c_shape, message",
    [
        (
            (5,),
            (2, 4),
            (2, 6),
            r"y_prev \(the previous output\) must have rank 2, \(batch, K\); got shape \(5,\)",
        ),
        ((2, 1, 5), (2, 4), (2, 6), r"y_prev \(the previous output\) must have rank 2"),
        (
            (2, 5),
            (2, 1, 4),
            (2, 6),
            r"s_prev \(the decoder state\) must have rank 2, \(batch, n\)",
        ),
        (
            (2, 5),
            (2, 4),
            (6,),
            r"c \(the context vector\) must have rank 2, \(batch, d\)",
        ),
        (
            (2, 7),
            (2, 4),
            (2, 6),
            "y_prev has size 7 in its last dimension, but the layer has output_dim=5",
        ),
        ((3, 5), (2, 4), (2, 6), "different batch sizes, 3, 2 and 2"),
        ((2, 5), (2, 4), (1, 6), "different batch sizes, 2, 2 and 1"),
    ],
)
def test_bad_shapes_raise_a_clear_error(y_shape, s_shape, c_shape, message):
    layer = OutputDistribution(output_dim=5)
    with pytest.raises(ValueError, match=message):
        layer(
            [
                np.zeros(y_shape, "float32"),
                np.zeros(s_shape, "float32"),
                np.zeros(c_shape, "float32"),
            ]
        )


@pytest.mark.parametrize(
    "y_shape, s_shape, c_shape, message",
    [
        (
            (2, 6),
            (2, 4),
            (2, 6),
            "y_prev has size 6 in its last dimension, but the layer has output_dim=5",
        ),
        (
            (2, 5),
            (2, 3),
            (2, 6),
            r"s_prev has size 3 in its last dimension, but the layer was built for .* n=4",
        ),
        (
            (2, 5),
            (2, 4),
            (2, 7),
            r"c has size 7 in its last dimension, but the layer was built for .* d=6",
        ),
        ((2, 5), (3, 4), (2, 6), "different batch sizes, 2, 3 and 2"),
    ],
)
def test_sizes_must_match_the_built_layer(y_shape, s_shape, c_shape, message):
    layer = OutputDistribution(output_dim=5)
    layer(
        [
            np.zeros((2, 5), "float32"),
            np.zeros((2, 4), "float32"),
            np.zeros((2, 6), "float32"),
        ]
    )
    with pytest.raises(ValueError, match=message):
        layer(
            [
                np.zeros(y_shape, "float32"),
                np.zeros(s_shape, "float32"),
                np.zeros(c_shape, "float32"),
            ]
        )


@pytest.mark.parametrize("built", [False, True])
def test_inputs_must_be_three(built):
    layer = OutputDistribution(output_dim=5)
    if built:
        layer(
            [
                np.zeros((2, 5), "float32"),
                np.zeros((2, 4), "float32"),
                np.zeros((2, 6), "float32"),
            ]
        )
    with pytest.raises(
        ValueError, match=r"expects three inputs, \[y_prev, s_prev, c\]"
    ):
        layer(np.zeros((2, 5), "float32"))
    with pytest.raises(
        ValueError, match=r"expects three inputs, \[y_prev, s_prev, c\]"
    ):
        layer([np.zeros((2, 5), "float32"), np.zeros((2, 4), "float32")])


def test_unknown_state_or_context_size_is_rejected_in_a_functional_model():
    with pytest.raises(
        ValueError,
        match=r"last dimension of s_prev \(n, the decoder state size\) must be known",
    ):
        OutputDistribution(output_dim=5)(
            [keras.Input((5,)), keras.Input((None,)), keras.Input((6,))]
        )
    with pytest.raises(
        ValueError,
        match=r"last dimension of c \(d, the context vector size\) must be known",
    ):
        OutputDistribution(output_dim=5)(
            [keras.Input((5,)), keras.Input((4,)), keras.Input((None,))]
        )


@pytest.mark.parametrize("batch", [1, 3])
def test_one_decoder_step_from_chapters_01_to_05_matches_equations_1_to_8(batch):
    T_x, d, n, K = 7, 5, 4, 6
    rng = np.random.default_rng(10 + batch)
    h = rng.normal(size=(batch, T_x, d)).astype("float32")
    _, s_prev, _ = random_inputs(batch, K, n, d, seed=11)
    y_prev, _, _ = random_inputs(batch, K, n, d, seed=12)
    alignment, gates, output = (
        AlignmentScores(n),
        ContextGRUGates(n),
        OutputDistribution(K),
    )
    alignment([s_prev, h])
    gates([y_prev, s_prev, h[:, 0]])
    output([y_prev, s_prev, h[:, 0]])
    for layer in (alignment, gates, output):
        for weight in layer.weights:
            if weight.name.startswith(
                "b_"
            ):  # zero at first: give every bias values, so that the check covers it
                weight.assign(rng.normal(scale=0.5, size=weight.shape))

    projected = alignment.project_encoder_outputs(h)
    alpha = masked_softmax(alignment.score(s_prev, projected))
    c = context_vector(alpha, h)
    r, z, s_tilde, s = gates.gates(y_prev, s_prev, c)
    y = ops.softmax(output.logits(y_prev, s_prev, c))

    weights = {
        w.name: ops.convert_to_numpy(w).astype("float64")
        for l in (alignment, gates, output)
        for w in l.weights
    }
    assert len(weights) == 20
    expected = step(
        y_prev.astype("float64"), s_prev.astype("float64"), h.astype("float64"), weights
    )
    for actual, reference in zip((y, s, alpha, c), expected):
        np.testing.assert_allclose(ops.convert_to_numpy(actual), reference, atol=1e-5)
    # Eq. 8 reads s_{t-1}: the same layer fed s_t gives another distribution.
    y_from_s_t = ops.convert_to_numpy(output([y_prev, s, c]))
    assert np.abs(y_from_s_t - expected[0]).max() > 1e-3
