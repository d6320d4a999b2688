"""Unit tests of the echo problem's data, scorer and models (chapter 07)."""

import keras
import numpy as np
import pytest
from keras import ops

from lstm_attention import AttentionDecoder
from lstm_attention.tasks import (
    EchoData,
    attention_encoder_decoder,
    echo_sequences,
    encoder_decoder,
    exact_match_accuracy,
    run_the_post_experiment,
)


@pytest.mark.parametrize(
    "count, length, vocabulary, echo",
    [(1, 1, 1, 1), (7, 5, 50, 2), (3, 10, 4, 10), (64, 6, 9, 1)],
)
def test_shapes_types_and_one_hot_encoding(count, length, vocabulary, echo):
    data = echo_sequences(
        count, length=length, vocabulary=vocabulary, echo=echo, seed=0
    )
    assert isinstance(data, EchoData)
    assert data.inputs.shape == data.targets.shape == (count, length, vocabulary)
    assert data.inputs.dtype == data.targets.dtype == np.float32
    assert data.sequences.shape == data.target_sequences.shape == (count, length)
    assert np.issubdtype(data.sequences.dtype, np.integer)
    assert np.all((data.sequences >= 0) & (data.sequences < vocabulary))
    for one_hot, symbols in (
        (data.inputs, data.sequences),
        (data.targets, data.target_sequences),
    ):
        assert set(np.unique(one_hot)) <= {0.0, 1.0}
        np.testing.assert_array_equal(one_hot.sum(axis=-1), 1.0)
        np.testing.assert_array_equal(one_hot.argmax(axis=-1), symbols)


def test_target_is_the_first_symbols_padded_with_zeros():
    data = echo_sequences(200, length=5, vocabulary=50, echo=2, seed=3)
    np.testing.assert_array_equal(data.target_sequences[:, :2], data.sequences[:, :2])
    np.testing.assert_array_equal(data.target_sequences[:, 2:], 0)
    np.testing.assert_array_equal(
        data.targets[:, 2:, 0], 1.0
    )  # the padding is symbol 0, one-hot


def test_defaults_are_the_posts_problem():
    data = echo_sequences(3, seed=0)
    assert data.inputs.shape == (3, 5, 50)
    np.testing.assert_array_equal(data.target_sequences[:, 2:], 0)
    np.testing.assert_array_equal(data.target_sequences[:, :2], data.sequences[:, :2])


def test_seeded_draws_repeat_and_differ_between_seeds():
    first, again, other = (
        echo_sequences(50, seed=5),
        echo_sequences(50, seed=5),
        echo_sequences(50, seed=6),
    )
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.sequences, other.sequences)


def test_symbols_are_roughly_uniform():
    counts = np.bincount(echo_sequences(4000, seed=0).sequences.ravel(), minlength=50)
    assert (
        counts.min() > 0.7 * 400 and counts.max() < 1.3 * 400
    )  # 20,000 draws, 400 expected per symbol


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(count=0), "count"),
        (dict(count=-3), "count"),
        (dict(count=2.5), "count"),
        (dict(count=10, length=0), "length"),
        (dict(count=10, vocabulary=0), "vocabulary"),
        (dict(count=10, echo=0), "echo"),
        (dict(count=10, echo=6), "cannot exceed `length`"),
        (dict(count=10, length=3, echo=4), "cannot exceed `length`"),
        (dict(count=10, seed=-1), "seed"),
        (dict(count=10, seed=1.5), "seed"),
        (dict(count=True), "count"),
    ],
)
def test_bad_arguments_raise_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        echo_sequences(**kwargs)


def test_exact_match_accuracy_counts_whole_sequences():
    truth = np.array(
        [[7, 3, 0, 0, 0], [1, 2, 0, 0, 0], [4, 4, 0, 0, 0], [5, 6, 0, 0, 0]]
    )
    guess = np.array(
        [[7, 3, 0, 0, 0], [1, 9, 0, 0, 0], [4, 4, 0, 5, 0], [6, 5, 0, 0, 0]]
    )
    assert exact_match_accuracy(truth, guess, positions=2) == 0.5
    assert exact_match_accuracy(truth, guess) == 0.25
    assert exact_match_accuracy(truth, guess, positions=5) == 0.25
    assert exact_match_accuracy(truth, guess, positions=1) == 0.75
    assert exact_match_accuracy(truth, truth) == 1.0


def test_exact_match_accuracy_takes_one_hot_targets_and_distributions():
    data = echo_sequences(20, seed=1)
    rng = np.random.default_rng(0)
    noise = rng.uniform(0, 0.5, size=data.targets.shape)
    distributions = (data.targets + noise) / (data.targets + noise).sum(
        axis=-1, keepdims=True
    )  # argmax = target
    assert exact_match_accuracy(data.targets, distributions) == 1.0
    assert (
        exact_match_accuracy(data.target_sequences, distributions, positions=2) == 1.0
    )
    wrong = distributions.copy()
    wrong[:5, 1] = np.roll(
        wrong[:5, 1], 1, axis=-1
    )  # x_2 wrong in the first 5 sequences
    assert exact_match_accuracy(data.targets, wrong, positions=2) == 0.75
    assert exact_match_accuracy(data.targets, wrong, positions=1) == 1.0


@pytest.mark.parametrize(
    "targets, predictions, positions, message",
    [
        (np.zeros((3, 5), int), np.zeros((3, 4), int), None, "length"),
        (np.zeros((3, 5), int), np.zeros((2, 5), int), None, "predictions"),
        (np.zeros(5, int), np.zeros(5, int), None, "expects"),
        (np.zeros((3, 5), int), np.zeros((3, 5), int), 6, "cannot exceed"),
        (np.zeros((3, 5), int), np.zeros((3, 5), int), 0, "positions"),
        (np.zeros((0, 5), int), np.zeros((0, 5), int), None, "no sequences"),
    ],
)
def test_exact_match_accuracy_bad_input_raises(
    targets, predictions, positions, message
):
    with pytest.raises(ValueError, match=message):
        exact_match_accuracy(targets, predictions, positions=positions)


def test_encoder_decoder_shapes_and_layers():
    keras.utils.set_random_seed(0)
    model = encoder_decoder(length=5, vocabulary=12, units=8)
    data = echo_sequences(3, vocabulary=12, seed=0)
    outputs = ops.convert_to_numpy(model(data.inputs))
    assert outputs.shape == (3, 5, 12)
    np.testing.assert_allclose(outputs.sum(axis=-1), 1.0, atol=1e-5)
    assert [type(layer).__name__ for layer in model.layers] == [
        "InputLayer",
        "LSTM",
        "RepeatVector",
        "LSTM",
        "TimeDistributed",
    ]
    assert model.optimizer is not None and model.loss == "categorical_crossentropy"


def test_attention_encoder_decoder_shares_layers_between_its_two_models():
    keras.utils.set_random_seed(0)
    model, attention_model = attention_encoder_decoder(length=6, vocabulary=10, units=8)
    data = echo_sequences(4, length=6, vocabulary=10, seed=0)
    outputs = ops.convert_to_numpy(model(data.inputs))
    alpha = ops.convert_to_numpy(attention_model(data.inputs))
    assert outputs.shape == (4, 6, 10) and alpha.shape == (4, 6, 6)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-5)
    decoders = [layer for layer in model.layers if isinstance(layer, AttentionDecoder)]
    assert len(decoders) == 1 and decoders[0] in attention_model.layers
    assert {id(w) for w in model.weights} == {id(w) for w in attention_model.weights}


def test_a_few_training_steps_lower_the_loss():
    keras.utils.set_random_seed(0)
    data = echo_sequences(64, length=4, vocabulary=6, seed=0)
    for model in (
        encoder_decoder(4, 6, units=8, learning_rate=0.01),
        attention_encoder_decoder(4, 6, units=8, learning_rate=0.01)[0],
    ):
        # A handful of steps: TensorFlow runs them faster eagerly than it traces a
        # graph; JAX eagerly would recompile the LSTMs' and the decoder's scans at
        # every step, so there one compiled train step is faster.
        model.run_eagerly = keras.backend.backend() == "tensorflow"
        history = model.fit(
            data.inputs, data.targets, batch_size=16, epochs=3, verbose=0
        )
        assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("builder", [encoder_decoder, attention_encoder_decoder])
@pytest.mark.parametrize(
    "kwargs", [dict(units=0), dict(length=0), dict(vocabulary=-1), dict(units=2.5)]
)
def test_model_builders_reject_bad_sizes(builder, kwargs):
    (name,) = kwargs
    with pytest.raises(ValueError, match=f"`{name}` must be a positive integer"):
        builder(**kwargs)


def test_attention_encoder_decoder_takes_a_decoder_subclass():
    class ZeroStart(AttentionDecoder):
        def initial_state(self, h, mask=None):
            return keras.ops.zeros((keras.ops.shape(h)[0], self.units))

    model, _ = attention_encoder_decoder(4, 6, units=8, decoder_class=ZeroStart)
    assert isinstance(model.get_layer("attention_decoder"), ZeroStart)
    for bad in (keras.layers.GRU, "AttentionDecoder", AttentionDecoder(8, 6)):
        with pytest.raises(TypeError, match="decoder_class must be AttentionDecoder"):
            attention_encoder_decoder(4, 6, units=8, decoder_class=bad)


def test_run_the_post_experiment_makes_one_update_per_new_pair_and_scores_whole_sequences():
    keras.utils.set_random_seed(0)
    model = encoder_decoder(length=4, vocabulary=6, units=8)
    scores = run_the_post_experiment(
        model, seed=3, updates=12, test_pairs=5, echo=2, score_every=5
    )
    assert list(scores) == [5, 10, 12]
    assert (
        int(ops.convert_to_numpy(model.optimizer.iterations)) == 12
    )  # one update per pair
    # The last score is the whole-sequence match on the first 5 pairs the seed draws.
    test = echo_sequences(5, length=4, vocabulary=6, echo=2, seed=3)
    expected = exact_match_accuracy(
        test.target_sequences, model.predict(test.inputs, verbose=0)
    )
    assert scores[12] == expected
    assert all(score in {0.0, 0.2, 0.4, 0.6, 0.8, 1.0} for score in scores.values())


def test_run_the_post_experiment_extends_a_shorter_run():
    # A longer run starts with the same pairs, so its first checkpoint is the shorter run's score.
    runs = []
    for updates in (6, 9):
        keras.utils.set_random_seed(1)
        model = encoder_decoder(length=3, vocabulary=5, units=4)
        runs.append(
            run_the_post_experiment(
                model, seed=2, updates=updates, test_pairs=4, score_every=6
            )
        )
    assert list(runs[0]) == [6] and list(runs[1]) == [6, 9]
    assert runs[0][6] == runs[1][6]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"updates": 0}, "`updates` must be a positive integer"),
        ({"test_pairs": 1.5}, "`test_pairs` must be a positive integer"),
        ({"score_every": -2}, "`score_every` must be a positive integer"),
    ],
)
def test_run_the_post_experiment_rejects_bad_counts(kwargs, message):
    model = encoder_decoder(length=3, vocabulary=5, units=4)
    with pytest.raises(ValueError, match=message):
        run_the_post_experiment(model, seed=0, **kwargs)


def test_run_the_post_experiment_needs_a_fixed_input_shape():
    source = keras.Input(shape=(None, 5))
    model = keras.Model(source, keras.layers.Dense(5, activation="softmax")(source))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    with pytest.raises(
        ValueError, match=r"input shape is \(batch, length, vocabulary\)"
    ):
        run_the_post_experiment(model, seed=0, updates=2, test_pairs=2)
