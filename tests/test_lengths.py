"""Unit tests of the reversal data and the per-length accuracy of chapter 09 (accuracy against input length)."""

import numpy as np
import pytest

from lstm_attention.tasks import (
    PADDING,
    accuracy_by_length,
    real_positions,
    reversal_data,
)


def test_shapes_types_and_ranges():
    sources, targets, lengths = reversal_data(
        50, min_length=3, max_length=9, alphabet_size=5, seed=1
    )
    assert sources.shape == targets.shape == (50, 9)
    assert lengths.shape == (50,)
    assert sources.dtype == targets.dtype == lengths.dtype == np.int32
    assert lengths.min() >= 3 and lengths.max() <= 9
    real = real_positions(lengths, 9)
    assert np.all((sources[real] >= 1) & (sources[real] <= 5))
    assert np.all(sources[~real] == PADDING) and np.all(targets[~real] == PADDING)


def test_targets_are_the_sources_reversed_then_padded():
    sources, targets, lengths = reversal_data(40, min_length=1, max_length=12, seed=2)
    for source, target, length in zip(sources, targets, lengths):
        np.testing.assert_array_equal(target[:length], source[:length][::-1])
        assert np.all(target[length:] == PADDING)


def test_same_seed_same_data_other_seed_other_data():
    first = reversal_data(30, seed=7)
    again = reversal_data(30, seed=7)
    other = reversal_data(30, seed=8)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_every_length_equally():
    _, _, lengths = reversal_data(
        21 * 4, min_length=4, max_length=24, seed=0, every_length_equally=True
    )
    values, counts = np.unique(lengths, return_counts=True)
    np.testing.assert_array_equal(values, np.arange(4, 25))
    assert np.all(counts == 4)
    _, _, uneven = reversal_data(
        10, min_length=1, max_length=3, every_length_equally=True
    )
    assert sorted(np.unique(uneven, return_counts=True)[1]) == [3, 3, 4]


def test_all_lengths_occur_when_drawn_at_random():
    _, _, lengths = reversal_data(2000, min_length=4, max_length=24, seed=3)
    assert set(np.unique(lengths)) == set(range(4, 25))


def test_one_length_and_one_symbol():
    sources, targets, lengths = reversal_data(
        3, min_length=5, max_length=5, alphabet_size=1
    )
    assert np.all(lengths == 5) and np.all(sources == 1) and np.all(targets == 1)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (dict(count=0), "count"),
        (dict(count=2.5), "count"),
        (dict(count=True), "count"),
        (dict(count=5, min_length=0), "min_length"),
        (dict(count=5, max_length=0), "max_length"),
        (dict(count=5, min_length=10, max_length=5), "must not exceed"),
        (dict(count=5, alphabet_size=0), "alphabet_size"),
        (dict(count=5, seed=-1), "seed"),
        (dict(count=5, seed="one"), "seed"),
        (dict(count=5, every_length_equally="yes"), "every_length_equally"),
    ],
)
def test_bad_arguments_raise_value_errors_that_name_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        reversal_data(**arguments)


def test_real_positions():
    np.testing.assert_array_equal(
        real_positions(np.array([0, 2, 4]), 4),
        [
            [False, False, False, False],
            [True, True, False, False],
            [True, True, True, True],
        ],
    )
    with pytest.raises(ValueError, match="between 0 and max_length"):
        real_positions(np.array([5]), 4)
    with pytest.raises(ValueError, match="1-D array of integers"):
        real_positions(np.array([1.5]), 4)
    with pytest.raises(ValueError, match="max_length"):
        real_positions(np.array([1]), 0)


def test_accuracy_by_length_scores_real_positions_only():
    targets = np.array([[1, 2, 0, 0], [3, 4, 5, 0], [3, 4, 5, 0], [1, 1, 1, 1]])
    predictions = np.array(
        [
            [1, 2, 7, 7],  # length 2: right (the padding is wrong, and does not count)
            [3, 4, 1, 2],  # length 3: one of three wrong
            [3, 4, 5, 5],  # length 3: right
            [1, 1, 1, 2],
        ]
    )  # length 4: one of four wrong
    lengths = np.array([2, 3, 3, 4])
    rows = accuracy_by_length(targets, predictions, lengths)
    np.testing.assert_array_equal(rows["shortest"], [2, 3, 4])
    np.testing.assert_array_equal(rows["longest"], [2, 3, 4])
    np.testing.assert_array_equal(rows["sequences"], [1, 2, 1])
    np.testing.assert_allclose(rows["symbol_accuracy"], [1.0, 5 / 6, 3 / 4])
    np.testing.assert_allclose(rows["exact_match"], [1.0, 0.5, 0.0])

    buckets = accuracy_by_length(targets, predictions, lengths, bucket_edges=[1, 3, 5])
    np.testing.assert_array_equal(buckets["shortest"], [1, 3])
    np.testing.assert_array_equal(buckets["longest"], [2, 4])
    np.testing.assert_array_equal(buckets["sequences"], [1, 3])
    np.testing.assert_allclose(buckets["symbol_accuracy"], [1.0, 8 / 10])
    np.testing.assert_allclose(buckets["exact_match"], [1.0, 1 / 3])


def test_accuracy_by_length_takes_distributions_and_skips_empty_buckets():
    targets = np.array([[2, 1, 0], [1, 2, 2]])
    distributions = np.eye(3)[
        np.array([[2, 1, 1], [1, 0, 2]])
    ]  # (2, 3, K=3), one-hot predictions
    rows = accuracy_by_length(
        targets, distributions, np.array([2, 3]), bucket_edges=[1, 2, 3, 4, 10]
    )
    np.testing.assert_array_equal(rows["shortest"], [2, 3])
    np.testing.assert_allclose(rows["symbol_accuracy"], [1.0, 2 / 3])
    np.testing.assert_allclose(rows["exact_match"], [1.0, 0.0])


def test_a_perfect_prediction_of_generated_data_scores_one_everywhere():
    _, targets, lengths = reversal_data(100, min_length=4, max_length=24, seed=5)
    rows = accuracy_by_length(targets, targets, lengths, bucket_edges=range(4, 26, 3))
    assert rows["sequences"].sum() == 100
    assert np.all(rows["symbol_accuracy"] == 1) and np.all(rows["exact_match"] == 1)


@pytest.mark.parametrize(
    "targets, predictions, lengths, edges, message",
    [
        (np.zeros(4, int), np.zeros(4, int), np.array([1]), None, "targets"),
        (
            np.zeros((0, 4), int),
            np.zeros((0, 4), int),
            np.zeros(0, int),
            None,
            "count >= 1",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 5), int),
            np.array([1, 1]),
            None,
            "predictions",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 4), int),
            np.array([1, 1, 1]),
            None,
            "lengths",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 4), int),
            np.array([1, 5]),
            None,
            "between 0 and max_length",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 4), int),
            np.array([1, 0]),
            None,
            "at least 1",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 4), int),
            np.array([1, 2]),
            [3],
            "bucket_edges",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 4), int),
            np.array([1, 2]),
            [3, 2],
            "bucket_edges",
        ),
        (
            np.zeros((2, 4), int),
            np.zeros((2, 4), int),
            np.array([1, 2]),
            [0.5, 2.5],
            "bucket_edges",
        ),
    ],
)
def test_accuracy_by_length_errors(targets, predictions, lengths, edges, message):
    with pytest.raises(ValueError, match=message):
        accuracy_by_length(targets, predictions, lengths, bucket_edges=edges)


def test_reversal_models_share_the_encoders_initial_weights_and_train():
    import keras

    from lstm_attention.tasks import (
        reversal_attention_models,
        reversal_encoder_decoder,
        train_reversal,
    )

    plain = reversal_encoder_decoder(max_length=6, alphabet_size=3, seed=4)
    attention, weights = reversal_attention_models(
        max_length=6, alphabet_size=3, seed=4
    )
    assert plain.output_shape == attention.output_shape == (None, 6, 4)
    assert weights.output_shape == (None, 6, 6)
    for name in ("embedding", "encoder"):
        for a, b in zip(
            plain.get_layer(name).get_weights(), attention.get_layer(name).get_weights()
        ):
            np.testing.assert_array_equal(a, b)
    sources, targets, lengths = reversal_data(
        64, min_length=2, max_length=6, alphabet_size=3, seed=0
    )
    seconds, losses = train_reversal(
        plain, sources, targets, lengths, epochs=2, batch_size=16, seed=0
    )
    assert seconds > 0 and len(losses) == 2 and np.all(np.isfinite(losses))
    assert isinstance(plain.optimizer, keras.optimizers.Adam)
