"""Unit tests of eq. 3, the context vector (chapter 03)."""

import keras
import numpy as np
import pytest
from keras import ops
from layer_contract import check_layer_contract

from lstm_attention import (
    AlignmentScores,
    ContextVector,
    context_vector,
    masked_softmax,
)


def context_reference(alpha, h):
    """Eq. 3 for every step at once with einsum: alpha (batch, T_y, T_x), h (batch, T_x, d) -> (batch, T_y, d)."""
    return np.einsum("btj,bjd->btd", alpha.astype("float64"), h.astype("float64"))


def random_inputs(batch, T_y, T_x, d, seed=0):
    "Attention weights (positive, rows summing to 1) for T_y steps, and encoder outputs."
    rng = np.random.default_rng(seed)
    weights = rng.uniform(0.01, 1.0, size=(batch, T_y, T_x))
    alpha = (weights / weights.sum(axis=-1, keepdims=True)).astype("float32")
    h = rng.normal(size=(batch, T_x, d)).astype("float32")
    return alpha, h


@pytest.mark.parametrize(
    "batch, T_x, d", [(1, 1, 1), (1, 5, 3), (2, 5, 6), (7, 13, 3), (32, 40, 16)]
)
def test_output_shapes_one_step_and_many(batch, T_x, d):
    alpha, h = random_inputs(batch, 3, T_x, d)
    layer = ContextVector()
    assert tuple(layer([alpha[:, 0], h]).shape) == (batch, d)
    assert tuple(layer([alpha, h]).shape) == (batch, 3, d)
    assert tuple(context_vector(alpha[:, 0], h).shape) == (batch, d)
    assert tuple(context_vector(alpha, h).shape) == (batch, 3, d)
    assert layer.compute_output_shape([(batch, T_x), (batch, T_x, d)]) == (batch, d)
    assert layer.compute_output_shape([(None, 3, None), (None, None, d)]) == (
        None,
        3,
        d,
    )


def test_the_layer_has_no_weights():
    layer = ContextVector()
    layer([np.full((2, 5), 0.2, "float32"), np.zeros((2, 5, 6), "float32")])
    assert layer.built and layer.weights == []


def test_matches_numpy_reference_one_step_and_many():
    alpha, h = random_inputs(3, 4, 7, 5, seed=1)
    expected = context_reference(alpha, h)
    layer = ContextVector()
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer([alpha, h])), expected, atol=1e-6
    )
    for t in range(4):
        np.testing.assert_allclose(
            ops.convert_to_numpy(layer([alpha[:, t], h])), expected[:, t], atol=1e-6
        )
    np.testing.assert_allclose(
        ops.convert_to_numpy(context_vector(alpha, h)), expected, atol=1e-6
    )


def test_weights_that_do_not_sum_to_one_are_summed_as_given():
    # Eq. 3 itself is linear in alpha: the function must not renormalise.
    alpha, h = random_inputs(2, 3, 5, 4, seed=2)
    scaled = 3.0 * alpha
    np.testing.assert_allclose(
        ops.convert_to_numpy(context_vector(scaled, h)),
        3.0 * context_reference(alpha, h),
        atol=1e-5,
    )


@pytest.mark.parametrize("batch, T_x, d", [(1, 1, 4), (2, 5, 3), (4, 9, 16)])
def test_one_hot_weights_return_exactly_h_j(batch, T_x, d):
    _, h = random_inputs(batch, 1, T_x, d, seed=3)
    layer = ContextVector()
    for j in range(T_x):
        one_hot = np.zeros((batch, T_x), "float32")
        one_hot[:, j] = 1.0
        np.testing.assert_array_equal(
            ops.convert_to_numpy(layer([one_hot, h])), h[:, j]
        )
    identity = np.broadcast_to(np.eye(T_x, dtype="float32"), (batch, T_x, T_x))
    np.testing.assert_array_equal(ops.convert_to_numpy(layer([identity, h])), h)


def test_uniform_weights_give_the_mean():
    _, h = random_inputs(3, 1, 6, 4, seed=4)
    uniform = np.full((3, 6), 1 / 6, "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(context_vector(uniform, h)), h.mean(axis=1), atol=1e-6
    )


def additive_attention_inputs(s_prev, h, units, seed):
    "Eqs. 1-2 of the package and the matching AdditiveAttention layer: (alignment, query, keys, additive)."
    keras.utils.set_random_seed(seed)
    alignment = AlignmentScores(units=units)
    alignment([s_prev, h])
    alignment.b_a.assign(
        np.linspace(-1, 1, units)
    )  # the initial bias is zero; make it count
    query = ops.matmul(s_prev, alignment.W_a)  # (batch, T_y, n)
    keys = alignment.project_encoder_outputs(h)  # (batch, T_x, n)
    additive = keras.layers.AdditiveAttention(use_scale=True)
    additive.build([tuple(query.shape), tuple(h.shape), tuple(keys.shape)])
    additive.scale.assign(alignment.V_a)
    return alignment, query, keys, additive


@pytest.mark.parametrize(
    "batch, T_y, T_x, d, n", [(1, 1, 4, 3, 2), (2, 3, 5, 6, 4), (5, 4, 11, 8, 7)]
)
def test_matches_keras_additive_attention(batch, T_y, T_x, d, n):
    rng = np.random.default_rng(5)
    s_prev = rng.normal(size=(batch, T_y, n)).astype("float32")
    h = rng.normal(size=(batch, T_x, d)).astype("float32")
    alignment, query, keys, additive = additive_attention_inputs(s_prev, h, n, seed=5)

    alpha = masked_softmax(alignment([s_prev, h]))
    c = ContextVector()([alpha, h])
    c_builtin, alpha_builtin = additive([query, h, keys], return_attention_scores=True)
    np.testing.assert_allclose(
        ops.convert_to_numpy(alpha), ops.convert_to_numpy(alpha_builtin), atol=1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(c), ops.convert_to_numpy(c_builtin), atol=1e-5
    )

    # One decoder step, (batch, n): AdditiveAttention needs a T_y axis of length 1.
    alpha_step = masked_softmax(alignment([s_prev[:, 0], h]))
    c_step = context_vector(alpha_step, h)
    c_builtin_step = additive([query[:, :1], h, keys])[:, 0]
    np.testing.assert_allclose(
        ops.convert_to_numpy(c_step), ops.convert_to_numpy(c_builtin_step), atol=1e-5
    )


def test_matches_keras_additive_attention_with_a_mask():
    rng = np.random.default_rng(6)
    s_prev = rng.normal(size=(3, 4, 5)).astype("float32")
    h = rng.normal(size=(3, 6, 7)).astype("float32")
    value_mask = np.array(
        [[True] * 6, [True] * 4 + [False] * 2, [True] + [False] * 5]
    )  # (batch, T_x)
    alignment, query, keys, additive = additive_attention_inputs(s_prev, h, 5, seed=6)

    alpha = masked_softmax(alignment([s_prev, h]), value_mask)
    c = ContextVector()([alpha, h])
    c_builtin, alpha_builtin = additive(
        [query, h, keys], mask=[None, value_mask], return_attention_scores=True
    )
    alpha, alpha_builtin = (
        ops.convert_to_numpy(alpha),
        ops.convert_to_numpy(alpha_builtin),
    )
    assert np.all(alpha[~np.broadcast_to(value_mask[:, None], alpha.shape)] == 0)
    np.testing.assert_allclose(alpha, alpha_builtin, atol=1e-6)
    np.testing.assert_allclose(
        ops.convert_to_numpy(c), ops.convert_to_numpy(c_builtin), atol=1e-5
    )
    np.testing.assert_array_equal(
        ops.convert_to_numpy(c)[2], np.broadcast_to(h[2, 0], (4, 7))
    )


def test_layer_contract(tmp_path):
    # Config and .keras round trips, shape inference with T_x unknown; no mask, no weights.
    alpha, h = random_inputs(3, 4, 9, 6, seed=7)
    result = check_layer_contract(
        ContextVector(name="context"),
        [alpha, h],
        tmp_path,
        input_shapes=[(4, None), (None, 6)],
    )
    assert result.clone.name == "context"
    assert tuple(result.symbolic.shape) == (None, 4, 6)
    np.testing.assert_allclose(result.output, context_reference(alpha, h), atol=1e-6)


def test_config_keeps_the_dtype():
    layer = ContextVector(dtype="float64")
    assert ContextVector.from_config(layer.get_config()).dtype_policy.name == "float64"


@pytest.mark.parametrize(
    "alpha_shape, h_shape, message",
    [
        (
            (2, 5),
            (2, 5),
            r"h \(the encoder outputs\) must have rank 3, \(batch, T_x, d\); got shape \(2, 5\)",
        ),
        ((2, 5), (2, 5, 6, 1), r"h \(the encoder outputs\) must have rank 3"),
        (
            (5,),
            (2, 5, 6),
            r"alpha \(the attention weights\) must have rank 2, .* or rank 3, .*got shape \(5,\)",
        ),
        ((2, 1, 1, 5), (2, 5, 6), r"alpha \(the attention weights\) must have rank 2"),
        (
            (2, 4),
            (2, 5, 6),
            r"alpha has 4 weights per step .* but h has 5 encoder outputs",
        ),
        (
            (2, 3, 7),
            (2, 5, 6),
            r"alpha has 7 weights per step .* but h has 5 encoder outputs",
        ),
        ((3, 5), (2, 5, 6), "alpha and h have different batch sizes, 3 and 2"),
        ((3, 4, 5), (2, 5, 6), "alpha and h have different batch sizes, 3 and 2"),
    ],
)
def test_bad_shapes_raise_a_clear_error(alpha_shape, h_shape, message):
    with pytest.raises(ValueError, match=message):
        ContextVector()(
            [np.zeros(alpha_shape, "float32"), np.zeros(h_shape, "float32")]
        )


def test_bad_shapes_are_caught_on_a_built_layer_too():
    layer = ContextVector()
    layer([np.full((2, 5), 0.2, "float32"), np.zeros((2, 5, 6), "float32")])
    with pytest.raises(
        ValueError, match="alpha has 5 weights per step .* but h has 4 encoder outputs"
    ):
        layer([np.full((2, 5), 0.2, "float32"), np.zeros((2, 4, 6), "float32")])


def test_a_single_tensor_is_not_two_inputs():
    with pytest.raises(ValueError, match=r"expects two inputs, \[alpha, h\]"):
        ContextVector()(np.zeros((2, 5, 4), "float32"))


def test_mismatched_source_lengths_are_rejected_in_a_functional_model():
    with pytest.raises(
        ValueError, match="alpha has 5 weights per step .* but h has 6 encoder outputs"
    ):
        ContextVector()([keras.Input((5,)), keras.Input((6, 3))])
