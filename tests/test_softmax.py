"""Unit tests of eq. 2, the softmax over the source positions, with masking (chapter 02)."""

import keras
import numpy as np
import pytest
from autodiff import input_gradients
from keras import ops
from layer_contract import check_layer_contract

from lstm_attention import AlignmentScores, AttentionWeights, masked_softmax


def weights_reference(energies, mask=None):
    """Eq. 2 for every row at once through log-sum-exp, in float64: alpha = exp(e - log sum_k m_k exp(e_k)).

    energies (batch, T_x) or (batch, T_y, T_x); mask (batch, T_x) or None. Rows with no real position: zeros.
    """
    energies = np.asarray(energies, dtype="float64")
    if mask is None:
        mask = np.ones(energies.shape, dtype=bool)
    elif energies.ndim == 3:
        mask = np.broadcast_to(np.asarray(mask)[:, None, :], energies.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        log_normaliser = np.logaddexp.reduce(
            np.where(mask, energies, -np.inf), axis=-1, keepdims=True
        )
        alpha = np.exp(energies - log_normaliser)
    return np.where(mask & np.isfinite(log_normaliser), alpha, 0.0)


def random_energies(shape, seed=0, scale=3.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape).astype("float32")


def random_mask(batch, T_x, seed=0, with_empty_row=True):
    "A padding mask with random lengths in 1..T_x; with `with_empty_row`, the last sequence is all padding."
    lengths = np.random.default_rng(seed).integers(1, T_x + 1, size=batch)
    if with_empty_row:
        lengths[-1] = 0
    return np.arange(T_x) < lengths[:, None]


def numpy(tensor):
    return ops.convert_to_numpy(tensor)


@pytest.mark.parametrize(
    "batch, T_y, T_x", [(1, 1, 1), (1, 4, 6), (2, 3, 5), (7, 2, 13), (32, 10, 40)]
)
def test_output_shapes_one_step_and_many(batch, T_y, T_x):
    layer = AttentionWeights()
    energies = random_energies((batch, T_y, T_x))
    mask = random_mask(batch, T_x, with_empty_row=False)
    assert tuple(layer(energies[:, 0]).shape) == (batch, T_x)
    assert tuple(layer(energies).shape) == (batch, T_y, T_x)
    assert tuple(layer(energies[:, 0], mask=mask).shape) == (batch, T_x)
    assert tuple(layer(energies, mask=mask).shape) == (batch, T_y, T_x)
    assert tuple(masked_softmax(energies, mask).shape) == (batch, T_y, T_x)
    assert layer.compute_output_shape((batch, T_x)) == (batch, T_x)
    assert layer.compute_output_shape((None, T_y, None)) == (None, T_y, None)


def test_the_layer_has_no_weights():
    layer = AttentionWeights()
    layer(random_energies((2, 3, 5)), mask=random_mask(2, 5))
    assert layer.built and layer.weights == []


@pytest.mark.parametrize("shape", [(4, 9), (4, 3, 9)])
def test_matches_numpy_reference_with_and_without_mask(shape):
    energies = random_energies(shape, seed=1)
    mask = random_mask(shape[0], shape[-1], seed=1)
    layer = AttentionWeights()
    np.testing.assert_allclose(
        numpy(layer(energies)), weights_reference(energies), rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(
        numpy(layer(energies, mask=mask)),
        weights_reference(energies, mask),
        rtol=0,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        numpy(masked_softmax(energies, mask)),
        weights_reference(energies, mask),
        rtol=0,
        atol=1e-6,
    )


def test_matches_keras_ops_softmax_without_mask():
    energies = random_energies((5, 4, 11), seed=2, scale=10.0)
    expected = numpy(ops.softmax(energies, axis=-1))
    np.testing.assert_allclose(
        numpy(masked_softmax(energies)), expected, rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(
        numpy(AttentionWeights()(energies)), expected, rtol=0, atol=1e-6
    )


def test_matches_keras_softmax_layer_with_mask_on_rows_with_a_real_position():
    energies = random_energies((5, 4, 11), seed=3)
    mask = random_mask(5, 11, seed=3)
    expected = numpy(
        keras.layers.Softmax()(energies, mask=mask[:, None, :])
    )  # Keras needs (batch, 1, T_x)
    alpha = numpy(AttentionWeights()(energies, mask=mask))
    np.testing.assert_allclose(alpha[:-1], expected[:-1], rtol=0, atol=1e-6)


@pytest.mark.parametrize("batch, T_y, T_x", [(1, 1, 2), (3, 5, 7), (16, 8, 33)])
def test_rows_sum_to_one_on_random_inputs(batch, T_y, T_x):
    energies = random_energies((batch, T_y, T_x), seed=batch, scale=5.0)
    mask = random_mask(batch, T_x, seed=batch, with_empty_row=False)
    for alpha in (
        numpy(AttentionWeights()(energies)),
        numpy(AttentionWeights()(energies, mask=mask)),
    ):
        assert np.all(alpha >= 0)
        np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, rtol=0, atol=1e-6)


def test_large_energies_give_finite_weights_that_sum_to_one():
    energies = np.array(
        [
            [1e4, 1.0, 0.1, -1e4],
            [
                -1e4,
                -1e4 + 1,
                -1e4 + 2,
                -1e4 + 3,
            ],  # every exp underflows: eq. 2 as written computes 0 / 0
            [1e4, 1e4, -1e4, -1e4],
        ],
        dtype="float32",
    )
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(energies) / np.exp(energies).sum(axis=-1, keepdims=True)
    assert np.isnan(naive).any(), "the naive formula should fail on these energies"
    for mask in (
        None,
        np.array([[True, True, True, False], [True] * 4, [True, False, True, True]]),
    ):
        alpha = numpy(masked_softmax(energies, mask))
        assert np.isfinite(alpha).all()
        np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, rtol=0, atol=1e-6)
        np.testing.assert_allclose(
            alpha, weights_reference(energies, mask), rtol=0, atol=1e-6
        )
    np.testing.assert_allclose(
        numpy(masked_softmax(energies))[0], [1, 0, 0, 0], atol=1e-7
    )
    np.testing.assert_allclose(
        numpy(masked_softmax(energies))[2], [0.5, 0.5, 0, 0], atol=1e-7
    )


def test_masked_positions_get_exactly_zero_even_with_the_largest_energy():
    energies = np.array([[1e4, 1.0, 2.0, 50.0], [3.0, -1e4, 1e4, 0.0]], dtype="float32")
    mask = np.array([[False, True, True, False], [True, True, False, True]])
    alpha = numpy(AttentionWeights()(energies, mask=mask))
    assert np.all(alpha[~mask] == 0.0)
    np.testing.assert_allclose(
        alpha[0, 1:3], weights_reference([[1.0, 2.0]])[0], rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, rtol=0, atol=1e-6)


def test_mask_is_broadcast_over_decoder_steps():
    energies = random_energies((3, 4, 6), seed=4)
    mask = random_mask(3, 6, seed=4)
    alpha = numpy(masked_softmax(energies, mask))
    for t in range(4):
        np.testing.assert_array_equal(
            alpha[:, t], numpy(masked_softmax(energies[:, t], mask))
        )
    assert np.all(alpha[np.broadcast_to(~mask[:, None, :], alpha.shape)] == 0.0)


@pytest.mark.parametrize("shape", [(3, 5), (3, 2, 5)])
def test_rows_with_every_position_masked_are_all_zeros_not_nan(shape):
    energies = random_energies(shape, seed=5)
    mask = np.array([[True, True, False, False, False], [False] * 5, [True] * 5])
    alpha = numpy(AttentionWeights()(energies, mask=mask))
    assert not np.isnan(alpha).any()
    assert np.all(alpha[1] == 0.0)
    np.testing.assert_allclose(alpha[[0, 2]].sum(axis=-1), 1.0, rtol=0, atol=1e-6)


def test_gradients_are_finite_and_right_also_for_masked_and_all_masked_rows():
    energies = np.array(
        [
            [1e4, -1e4, 0.0, 5.0],  # the huge energy is masked
            [1.0, 2.0, 3.0, 4.0],  # every position masked
            [0.5, -0.5, 2.0, 1e4],  # nothing masked, one huge energy
        ],
        dtype="float32",
    )
    mask = np.array([[False, True, True, True], [False] * 4, [True] * 4])
    upstream = np.array(
        [[1.0, 2.0, 3.0, 4.0], [1.0, -1.0, 2.0, 5.0], [3.0, 1.0, -2.0, 0.5]],
        dtype="float32",
    )
    _, (gradient,) = input_gradients(
        lambda e: ops.sum(ops.multiply(masked_softmax(e, mask), upstream)), energies
    )
    assert np.isfinite(gradient).all()
    assert np.all(gradient[~mask] == 0.0)
    # The softmax's gradient: d loss / d e_j = alpha_j (g_j - sum_k alpha_k g_k), zero at masked positions.
    alpha = numpy(masked_softmax(energies, mask))
    expected = alpha * (upstream - np.sum(alpha * upstream, axis=-1, keepdims=True))
    np.testing.assert_allclose(gradient, expected, rtol=0, atol=1e-6)


def test_alignment_scores_energies_become_valid_weights():
    tokens = np.array([[5, 3, 8, 9, 0, 0], [2, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])
    mask = numpy(keras.layers.Embedding(10, 3, mask_zero=True).compute_mask(tokens))
    h = keras.random.normal((3, 6, 5), seed=1)
    s_prev = keras.random.normal((3, 4, 8), seed=2)
    alignment = AlignmentScores(units=8)
    alignment([s_prev, h])
    alignment.V_a.assign(
        alignment.V_a * 50.0
    )  # large energies, as a trained alignment model can produce
    energies = alignment([s_prev, h])
    alpha = numpy(AttentionWeights()(energies, mask=mask))
    assert alpha.shape == (3, 4, 6) and np.isfinite(alpha).all() and np.all(alpha >= 0)
    assert np.all(alpha[np.broadcast_to(~mask[:, None, :], alpha.shape)] == 0.0)
    np.testing.assert_allclose(
        alpha.sum(axis=-1), [[1.0] * 4, [1.0] * 4, [0.0] * 4], rtol=0, atol=1e-6
    )
    np.testing.assert_allclose(
        alpha, weights_reference(numpy(energies), mask), rtol=0, atol=1e-6
    )


def test_layer_contract(tmp_path):
    # Config and .keras round trips, shape inference with T_x unknown, and the mask: a
    # batch padded from T_x = 5 to 8, whatever its energies there, gives the same weights
    # on the real positions and exactly 0 on the padding.
    energies, mask = random_energies((3, 4, 5), seed=6), random_mask(3, 5, seed=6)
    padded_energies = random_energies((3, 4, 8), seed=7, scale=30.0)
    padded_energies[..., :5] = energies
    padded_mask = np.zeros((3, 8), bool)
    padded_mask[:, :5] = mask
    result = check_layer_contract(
        AttentionWeights(name="alpha"),
        energies,
        tmp_path,
        call_kwargs={"mask": mask},
        input_shapes=(4, None),
        padded=(padded_energies, {"mask": padded_mask}, lambda a: a[..., :5]),
    )
    assert result.clone.name == "alpha"
    # The mask is used up by the layer: its output carries none.
    assert getattr(result.symbolic, "_keras_mask", None) is None
    np.testing.assert_allclose(
        result.output, weights_reference(energies, mask), rtol=0, atol=1e-6
    )
    padded_alpha = numpy(result.loaded(padded_energies, mask=padded_mask))
    assert np.all(padded_alpha[..., 5:] == 0.0)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5), ()])
def test_energies_of_the_wrong_rank_raise_a_clear_error(shape):
    with pytest.raises(
        ValueError, match=r"the energies must have rank 2, \(batch, T_x\), or rank 3"
    ):
        AttentionWeights()(np.zeros(shape, "float32"))


@pytest.mark.parametrize(
    "energies_shape, mask_shape, message",
    [
        (
            (2, 5),
            (2, 4),
            r"mask must have shape \(batch, T_x\) = \(2, 5\) to match energies of shape \(2, 5\); got a mask of shape \(2, 4\)",
        ),
        (
            (2, 3, 5),
            (2, 4),
            r"= \(2, 5\) to match energies of shape \(2, 3, 5\); got a mask of shape \(2, 4\)",
        ),
        (
            (2, 5),
            (3, 5),
            r"= \(2, 5\) to match energies of shape \(2, 5\); got a mask of shape \(3, 5\)",
        ),
        ((2, 3, 5), (2, 3, 5), r"got a mask of shape \(2, 3, 5\)"),
        ((2, 5), (5,), r"got a mask of shape \(5,\)"),
    ],
)
def test_a_mask_of_the_wrong_shape_raises_a_clear_error(
    energies_shape, mask_shape, message
):
    with pytest.raises(ValueError, match=message):
        AttentionWeights()(
            np.zeros(energies_shape, "float32"), mask=np.ones(mask_shape, bool)
        )


def test_a_mask_that_is_not_boolean_raises_a_clear_error():
    with pytest.raises(
        ValueError,
        match="the mask must be boolean, True at the real source positions; got dtype float32",
    ):
        AttentionWeights()(np.zeros((2, 5), "float32"), mask=np.ones((2, 5), "float32"))


def test_bad_inputs_are_caught_when_a_functional_model_is_built():
    with pytest.raises(ValueError, match=r"got a mask of shape \(None, 4\)"):
        AttentionWeights()(keras.Input((3, 5)), mask=keras.Input((4,), dtype="bool"))
    with pytest.raises(ValueError, match="the energies must have rank 2"):
        AttentionWeights()(keras.Input((3, 5, 2)))
