"""Unit tests of eqs. 4-7, the GRU gates with the context (chapter 04)."""

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import check_layer_contract

from lstm_attention import ContextGRUGates

WEIGHT_NAMES = [
    "W_r",
    "W_z",
    "W_p",
    "U_r",
    "U_z",
    "U_p",
    "C_r",
    "C_z",
    "C_p",
    "b_r",
    "b_z",
    "b_p",
]


def gates_reference(y_prev, s_prev, c, weights):
    """Eqs. 4-7 with the three gates' matrices stacked and einsum: (batch, K), (batch, n), (batch, d) -> 4 x (batch, n)."""
    W = np.stack([weights["W_r"], weights["W_z"], weights["W_p"]])  # (3, K, n)
    C = np.stack([weights["C_r"], weights["C_z"], weights["C_p"]])  # (3, d, n)
    b = np.stack([weights["b_r"], weights["b_z"], weights["b_p"]])  # (3, n)
    from_inputs = (
        np.einsum("bk,gkn->gbn", y_prev, W)
        + np.einsum("bd,gdn->gbn", c, C)
        + b[:, None, :]
    )
    from_state = np.einsum(
        "bm,gmn->gbn", s_prev, np.stack([weights["U_r"], weights["U_z"]])
    )
    r, z = 1 / (1 + np.exp(-(from_inputs[:2] + from_state)))
    s_tilde = np.tanh(
        from_inputs[2] + np.einsum("bm,mn->bn", r * s_prev, weights["U_p"])
    )
    s = s_prev + z * (s_tilde - s_prev)  # eq. 7, rearranged
    return r, z, s_tilde, s


def random_inputs(batch, K, n, d, seed=0):
    rng = np.random.default_rng(seed)
    y_prev = rng.dirichlet(np.ones(K), size=batch).astype(
        "float32"
    )  # each row a distribution
    s_prev = np.tanh(rng.normal(size=(batch, n))).astype("float32")
    c = rng.normal(size=(batch, d)).astype("float32")
    return y_prev, s_prev, c


def layer_weights(layer):
    return {w.name: ops.convert_to_numpy(w).astype("float64") for w in layer.weights}


def built_layer(K, n, d, seed=0):
    "A built layer whose biases are not zero, so that every weight matters."
    layer = ContextGRUGates(units=n)
    layer(
        [
            np.zeros((1, K), "float32"),
            np.zeros((1, n), "float32"),
            np.zeros((1, d), "float32"),
        ]
    )
    rng = np.random.default_rng(seed)
    for name in ("b_r", "b_z", "b_p"):
        getattr(layer, name).assign(rng.normal(scale=0.5, size=n).astype("float32"))
    return layer


def numpy_of(tensors):
    return [ops.convert_to_numpy(t) for t in tensors]


@pytest.mark.parametrize(
    "batch, K, n, d", [(1, 1, 1, 1), (1, 5, 4, 6), (2, 3, 8, 2), (32, 11, 16, 24)]
)
def test_output_shapes(batch, K, n, d):
    y_prev, s_prev, c = random_inputs(batch, K, n, d)
    layer = ContextGRUGates(units=n)
    assert tuple(layer([y_prev, s_prev, c]).shape) == (batch, n)
    assert [tuple(x.shape) for x in layer.gates(y_prev, s_prev, c)] == [(batch, n)] * 4
    assert layer.compute_output_shape([(batch, K), (batch, n), (batch, d)]) == (
        batch,
        n,
    )
    assert layer.compute_output_shape([(None, K), (None, n), (None, d)]) == (None, n)
    assert layer.compute_output_shape([(None, K), (batch, n), (None, d)]) == (batch, n)


def test_weights_have_the_names_shapes_and_order_of_design():
    layer = ContextGRUGates(units=4)
    layer(
        [
            np.zeros((2, 5), "float32"),
            np.zeros((2, 4), "float32"),
            np.zeros((2, 6), "float32"),
        ]
    )
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [
        ("W_r", (5, 4)),
        ("W_z", (5, 4)),
        ("W_p", (5, 4)),
        ("U_r", (4, 4)),
        ("U_z", (4, 4)),
        ("U_p", (4, 4)),
        ("C_r", (6, 4)),
        ("C_z", (6, 4)),
        ("C_p", (6, 4)),
        ("b_r", (4,)),
        ("b_z", (4,)),
        ("b_p", (4,)),
    ]
    assert all(
        getattr(layer, name) is w for name, w in zip(WEIGHT_NAMES, layer.weights)
    )


def test_build_from_shapes_with_unknown_batch():
    layer = ContextGRUGates(units=3)
    layer.build([(None, 5), (None, 3), (None, 7)])
    assert [tuple(w.shape) for w in layer.weights[::3]] == [
        (5, 3),
        (3, 3),
        (7, 3),
        (3,),
    ]


@pytest.mark.parametrize("batch", [1, 3])
def test_matches_numpy_reference(batch):
    K, n, d = 5, 4, 6
    layer = built_layer(K, n, d, seed=batch)
    y_prev, s_prev, c = random_inputs(batch, K, n, d, seed=batch)
    expected = gates_reference(y_prev, s_prev, c, layer_weights(layer))
    for actual, reference in zip(numpy_of(layer.gates(y_prev, s_prev, c)), expected):
        np.testing.assert_allclose(actual, reference, atol=1e-5)
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer([y_prev, s_prev, c])), expected[-1], atol=1e-5
    )


def test_gates_and_proposal_lie_in_their_ranges():
    layer = built_layer(5, 8, 6, seed=1)
    r, z, s_tilde, _ = numpy_of(layer.gates(*random_inputs(16, 5, 8, 6, seed=1)))
    assert np.all((0 < r) & (r < 1)) and np.all((0 < z) & (z < 1))
    assert np.all(np.abs(s_tilde) < 1)


def gru_cell_weights(weights):
    "Our weights as [kernel, recurrent_kernel, bias] of a GRUCell(reset_after=False) on [y_prev; c]."
    kernel = np.concatenate(
        [
            -np.concatenate([weights["W_z"], weights["C_z"]]),  # Keras's z is our 1 - z
            np.concatenate([weights["W_r"], weights["C_r"]]),
            np.concatenate([weights["W_p"], weights["C_p"]]),
        ],
        axis=1,
    )
    recurrent_kernel = np.concatenate(
        [-weights["U_z"], weights["U_r"], weights["U_p"]], axis=1
    )
    bias = np.concatenate([-weights["b_z"], weights["b_r"], weights["b_p"]])
    return [kernel, recurrent_kernel, bias]


@pytest.mark.parametrize("batch", [1, 4])
def test_matches_keras_gru_cell_over_several_steps(batch):
    K, n, d, steps = 5, 4, 6, 6
    layer = built_layer(K, n, d, seed=10 + batch)
    cell = keras.layers.GRUCell(n, reset_after=False)
    cell.build((None, K + d))
    cell.set_weights(gru_cell_weights(layer_weights(layer)))
    _, s_ours, _ = random_inputs(batch, K, n, d, seed=20)
    s_keras = s_ours
    for t in range(steps):
        y_prev, _, c = random_inputs(batch, K, n, d, seed=30 + t)
        s_ours = layer([y_prev, s_ours, c])
        s_keras, _ = cell(np.concatenate([y_prev, c], axis=-1), s_keras)
        np.testing.assert_allclose(
            ops.convert_to_numpy(s_ours), ops.convert_to_numpy(s_keras), atol=1e-5
        )


def test_keras_gru_cell_without_the_sign_flip_disagrees():
    "The mapping's minus signs matter: without them GRUCell's update gate is the complement of ours."
    K, n, d = 5, 4, 6
    layer = built_layer(K, n, d, seed=3)
    weights = layer_weights(layer)
    for name in ("W_z", "U_z", "C_z", "b_z"):
        weights[name] = -weights[name]
    cell = keras.layers.GRUCell(n, reset_after=False)
    cell.build((None, K + d))
    cell.set_weights(gru_cell_weights(weights))
    y_prev, s_prev, c = random_inputs(3, K, n, d, seed=4)
    s_keras, _ = cell(np.concatenate([y_prev, c], axis=-1), s_prev)
    difference = np.max(
        np.abs(
            ops.convert_to_numpy(layer([y_prev, s_prev, c]))
            - ops.convert_to_numpy(s_keras)
        )
    )
    assert difference > 1e-2


def test_state_stays_in_the_open_interval_and_between_old_state_and_proposal():
    K, n, d = 5, 16, 6
    layer = built_layer(K, n, d, seed=5)
    _, s, _ = random_inputs(8, K, n, d, seed=6)
    for t in range(40):
        y_prev, _, c = random_inputs(8, K, n, d, seed=100 + t)
        _, _, s_tilde, s_new = numpy_of(layer.gates(y_prev, s, c))
        low, high = np.minimum(s, s_tilde), np.maximum(s, s_tilde)
        assert np.all((low - 1e-6 <= s_new) & (s_new <= high + 1e-6))
        assert np.all(np.abs(s_new) < 1)
        s = s_new


def test_layer_contract(tmp_path):
    # Config and .keras round trips (every weight drawn at random, biases included),
    # shape inference; no mask.
    K, n, d = 5, 4, 6
    data = list(random_inputs(3, K, n, d, seed=7))
    layer = ContextGRUGates(units=n, name="gates")
    result = check_layer_contract(layer, data, tmp_path)
    assert result.clone.units == n and result.clone.name == "gates"
    assert [w.name for w in result.loaded.weights] == WEIGHT_NAMES
    assert np.all(layer_weights(layer)["b_z"] != 0)
    expected = gates_reference(*data, layer_weights(layer))[-1]
    np.testing.assert_allclose(result.output, expected, atol=1e-5)


@pytest.mark.parametrize("units", [0, -3, 2.5, "4", None, True])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match="`units` must be a positive integer"):
        ContextGRUGates(units=units)


def test_numpy_integer_units_are_accepted():
    assert ContextGRUGates(units=np.int64(3)).units == 3


BAD_SHAPES = [
    (
        (2,),
        (2, 4),
        (2, 6),
        r"y_prev \(the previous output\) must have rank 2, \(batch, K or m\); got shape \(2,\)",
    ),
    ((2, 3, 5), (2, 4), (2, 6), r"y_prev \(the previous output\) must have rank 2"),
    (
        (2, 5),
        (4,),
        (2, 6),
        r"s_prev \(the decoder state\) must have rank 2, \(batch, n\)",
    ),
    ((2, 5), (2, 1, 4), (2, 6), r"s_prev \(the decoder state\) must have rank 2"),
    ((2, 5), (2, 4), (6,), r"c \(the context vector\) must have rank 2, \(batch, d\)"),
    ((2, 5), (2, 4), (2, 3, 6), r"c \(the context vector\) must have rank 2"),
    (
        (2, 5),
        (2, 3),
        (2, 6),
        r"s_prev has size 3 in its last dimension, but the layer has units=4",
    ),
    (
        (3, 5),
        (2, 4),
        (2, 6),
        r"y_prev, s_prev and c have different batch sizes, 3, 2 and 2",
    ),
    (
        (2, 5),
        (2, 4),
        (1, 6),
        r"y_prev, s_prev and c have different batch sizes, 2, 2 and 1",
    ),
]


@pytest.mark.parametrize("y_shape, s_shape, c_shape, message", BAD_SHAPES)
def test_bad_shapes_raise_a_clear_error_on_the_first_call(
    y_shape, s_shape, c_shape, message
):
    layer = ContextGRUGates(units=4)
    with pytest.raises(ValueError, match=message):
        layer(
            [
                np.zeros(y_shape, "float32"),
                np.zeros(s_shape, "float32"),
                np.zeros(c_shape, "float32"),
            ]
        )
    assert not layer.built


@pytest.mark.parametrize("y_shape, s_shape, c_shape, message", BAD_SHAPES)
def test_bad_shapes_raise_a_clear_error_on_a_built_layer(
    y_shape, s_shape, c_shape, message
):
    layer = ContextGRUGates(units=4)
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


@pytest.mark.parametrize(
    "y_size, d, message",
    [
        (
            7,
            6,
            r"y_prev has size 7 in its last dimension, but the layer was built for previous outputs \(or embeddings\), K or m=5",
        ),
        (
            5,
            3,
            r"c has size 3 in its last dimension, but the layer was built for context vectors of size d=6",
        ),
    ],
)
def test_input_sizes_must_match_the_built_layer(y_size, d, message):
    layer = ContextGRUGates(units=4)
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
                np.zeros((2, y_size), "float32"),
                np.zeros((2, 4), "float32"),
                np.zeros((2, d), "float32"),
            ]
        )


@pytest.mark.parametrize(
    "inputs, got",
    [
        (np.zeros((3, 2, 4), "float32"), r"got one tensor of shape \(3, 2, 4\)"),
        (
            [np.zeros((2, 5), "float32"), np.zeros((2, 4), "float32")],
            r"got 2 inputs of shapes \[\(2, 5\), \(2, 4\)\]",
        ),
    ],
)
@pytest.mark.parametrize("built", [False, True])
def test_inputs_must_be_three(inputs, got, built):
    layer = ContextGRUGates(units=4)
    if built:
        layer(
            [
                np.zeros((3, 5), "float32"),
                np.zeros((3, 4), "float32"),
                np.zeros((3, 6), "float32"),
            ]
        )
    with pytest.raises(
        ValueError, match=r"expects three inputs, \[y_prev, s_prev, c\].*" + got
    ):
        layer(inputs)


@pytest.mark.parametrize(
    "which, shapes", [("y_prev", [(None,), (4,), (6,)]), ("c", [(5,), (4,), (None,)])]
)
def test_unknown_input_size_is_rejected_in_a_functional_model(which, shapes):
    with pytest.raises(
        ValueError, match=f"the last dimension of {which} .* must be known"
    ):
        ContextGRUGates(units=4)([keras.Input(shape) for shape in shapes])


def test_messages_name_the_embedding_size_too():
    # Chapter 10 feeds E y_{t-1} (size m) instead of y_{t-1} (size K): the messages
    # about y_prev's size must not call it only "the number of output symbols".
    layer = ContextGRUGates(units=4)
    embedded, s_prev, c = (np.zeros((2, size), "float32") for size in (3, 4, 6))
    layer([embedded, s_prev, c])
    with pytest.raises(
        ValueError, match=r"built for previous outputs \(or embeddings\), K or m=3"
    ):
        layer([np.zeros((2, 5), "float32"), s_prev, c])
    with pytest.raises(
        ValueError,
        match=r"last dimension of y_prev \(K output symbols, or m, the embedding size\) must be known",
    ):
        layer.compute_output_shape([(2, None), (2, 4), (2, 6)])
