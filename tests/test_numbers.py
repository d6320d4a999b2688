"""lstm_attention.tasks.numbers: number words, splits, vocabularies, chrF, and a trained model saved and loaded."""

import keras
import numpy as np
import pytest

pytest.importorskip("num2words")
pytest.importorskip("sacrebleu")

from lstm_attention.tasks.numbers import (  # noqa: E402
    GERMAN_PIECES,
    NumberVocabulary,
    build_number_model,
    chrf,
    default_number_vocabulary,
    english_words,
    german_pieces,
    german_words,
    split_numbers,
    translate_numbers,
)
from lstm_attention.translation import SearchBudgetExceeded  # noqa: E402


@pytest.fixture(scope="module")
def vocabulary():
    return default_number_vocabulary()


def test_every_german_number_word_is_cut_into_pieces_that_join_back():
    for number in range(1, 10_000):
        word = german_words(number)
        pieces = german_pieces(word)
        assert "".join(pieces) == word and set(pieces) <= set(GERMAN_PIECES)
    assert german_pieces(german_words(1987)) == [
        "ein",
        "tausend",
        "neun",
        "hundert",
        "sieben",
        "und",
        "achtzig",
    ]
    assert german_pieces("sechzehn") == ["sech", "zehn"] and german_pieces(
        "siebzig"
    ) == ["siebzig"]
    with pytest.raises(ValueError, match=r"has no German number piece at 'emillion'"):
        german_pieces("einemillion")


def test_splits_are_disjoint_and_the_long_set_is_longer_than_training():
    splits = split_numbers(seed=0)
    sets = [set(part) for part in splits]
    assert sum(map(len, sets)) == len(set().union(*sets))
    assert len(splits.long) == 400
    longest_trained = max(len(german_pieces(german_words(n))) for n in splits.train)
    assert (
        min(len(german_pieces(german_words(n))) for n in splits.long) > longest_trained
    )
    assert split_numbers(seed=0) == splits and split_numbers(seed=1) != splits


def test_vocabulary_encodes_shifted_targets_and_round_trips_through_json(vocabulary):
    assert vocabulary.target_size == 29 and vocabulary.source_size == 31
    source = vocabulary.encode_source(
        ["Forty-two", "one thousand, nine hundred and eighty-seven"]
    )
    assert source.shape == (2, 7) and (source[0, 2:] == 0).all()
    previous, targets = vocabulary.encode_targets(["zweiundvierzig", "sieben"])
    symbols = vocabulary.target_symbols
    assert [symbols[i] for i in previous[0]] == ["<s>", "zwei", "und", "vierzig"]
    assert [symbols[i] for i in targets[0]] == ["zwei", "und", "vierzig", "</s>"]
    assert [symbols[i] for i in targets[1]] == ["sieben", "</s>", "<pad>", "<pad>"]
    assert vocabulary.decode(targets[0]) == "zweiundvierzig"
    assert NumberVocabulary.from_json(vocabulary.to_json()) == vocabulary


@pytest.mark.parametrize(
    "strings, message",
    [
        (["forty-two", "fourty-two"], r"Unknown word 'fourty' in 'fourty-two'"),
        ([""], r"There is no word to translate in ''"),
        ([" , - "], r"There is no word to translate"),
        ([], r"There are no strings to translate"),
        ("forty-two", r"Give a list of strings, not one string"),
        ([42], r"Expected a string of English number words; got 42"),
    ],
)
def test_bad_source_strings_are_refused_with_a_clear_message(
    vocabulary, strings, message
):
    with pytest.raises(ValueError, match=message):
        vocabulary.encode_source(strings)


def test_chrf_is_100_for_perfect_translations_and_less_for_a_missing_piece():
    references = ["zweiundvierzig", "eintausendneunhundertsiebenundachtzig"]
    assert chrf(references, references) == pytest.approx(100)
    assert (
        50 < chrf(["zweiundvierzig", "eintausendneunhundertsieben"], references) < 100
    )


@pytest.fixture(scope="module")
def trained(vocabulary):
    "A small model trained for a few hundred steps on numbers below 200."
    keras.utils.set_random_seed(0)
    numbers = list(range(1, 200))
    source = vocabulary.encode_source([english_words(n) for n in numbers])
    previous, targets = vocabulary.encode_targets([german_words(n) for n in numbers])
    model = build_number_model(vocabulary, units=16, embedding_dim=8)
    rng = np.random.default_rng(0)
    for _ in range(40):
        batch = rng.choice(len(numbers), 32, replace=False)
        model.train_on_batch([source[batch], previous[batch]], targets[batch])
    return model, numbers


def test_translate_refuses_an_unknown_word_an_empty_string_and_a_beam_narrower_than_one(
    vocabulary, trained
):
    model, _ = trained
    with pytest.raises(ValueError, match=r"Unknown word 'zwei'"):
        translate_numbers(model, ["zwei"], vocabulary)
    with pytest.raises(ValueError, match=r"There is no word to translate in ''"):
        translate_numbers(model, ["seven", ""], vocabulary)
    with pytest.raises(
        ValueError, match=r"beam width `k` must be an integer >= 1; got 0"
    ):
        translate_numbers(model, ["seven"], vocabulary, k=0)
    with pytest.raises(
        ValueError, match=r"Expected a model with one TeacherForcedDecoder"
    ):
        translate_numbers(
            keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]),
            ["seven"],
            vocabulary,
        )


def test_translate_refuses_one_string_k_with_exact_and_a_length_penalty_without_beam(
    vocabulary, trained
):
    model, _ = trained
    with pytest.raises(ValueError, match=r"Give a list of strings, not one string"):
        translate_numbers(model, "seven", vocabulary)
    with pytest.raises(ValueError, match=r"`exact=True` runs the exact search"):
        translate_numbers(model, ["seven"], vocabulary, k=3, exact=True)
    with pytest.raises(
        ValueError, match=r"`length_penalty` ranks the outputs of a beam"
    ):
        translate_numbers(model, ["seven"], vocabulary, length_penalty=0.5)


def test_translate_passes_its_budget_to_the_exact_search_and_only_there(
    vocabulary, trained
):
    model, _ = trained
    # Proving an output of several pieces best takes more than one extended prefix.
    with pytest.raises(
        SearchBudgetExceeded, match=r"max_expansions=1 prefixes extended"
    ):
        translate_numbers(
            model,
            ["one hundred ninety-eight"],
            vocabulary,
            exact=True,
            max_expansions=1,
        )
    with pytest.raises(ValueError, match=r"`max_expansions` bounds the exact search"):
        translate_numbers(model, ["seven"], vocabulary, k=3, max_expansions=10)
    answers = translate_numbers(
        model, ["seven"], vocabulary, exact=True, max_expansions=10_000
    )
    assert answers == translate_numbers(model, ["seven"], vocabulary, exact=True)


def test_an_unknown_word_message_names_the_vocabulary_size_not_a_range():
    small = NumberVocabulary(("one", "two", "three"))
    with pytest.raises(
        ValueError, match=r"knows the 3 words of its vocabulary"
    ) as info:
        small.words("four")
    assert "9,999" not in str(info.value)


def test_a_trained_model_saved_and_loaded_writes_the_same_strings(
    vocabulary, trained, tmp_path
):
    model, numbers = trained
    strings = [english_words(n) for n in numbers[::5]]
    before = {k: translate_numbers(model, strings, vocabulary, k=k) for k in (None, 3)}
    assert all(isinstance(answer, str) for answer in before[None])
    model.save(tmp_path / "numbers.keras")
    (tmp_path / "vocabulary.json").write_text(vocabulary.to_json(), encoding="utf-8")
    loaded = keras.models.load_model(tmp_path / "numbers.keras")
    loaded_vocabulary = NumberVocabulary.from_json(
        (tmp_path / "vocabulary.json").read_text(encoding="utf-8")
    )
    for k, answers in before.items():
        assert translate_numbers(loaded, strings, loaded_vocabulary, k=k) == answers


def test_translate_returns_attention_rows_for_every_symbol_written(vocabulary, trained):
    model, _ = trained
    answers, attention, scores = translate_numbers(
        model,
        ["seven", "one hundred and forty-two"],
        vocabulary,
        k=2,
        return_attention=True,
    )
    assert [alpha.shape[1] for alpha in attention] == [
        5,
        5,
    ]  # one column per (padded) source position
    np.testing.assert_array_equal(
        attention[0][:, 1:], 0
    )  # "seven" has one word; the rest is padding
    for alpha, score in zip(attention, scores):
        assert alpha.shape[0] >= 1 and np.allclose(alpha.sum(-1), 1, atol=1e-5)
        assert score <= 0


@pytest.mark.parametrize(
    "hypotheses, references, message",
    [
        (["eins", "zwei", "drei"], ["eins", "zwei"], r"3 hypotheses and 2 references"),
        ([], [], r"0 hypotheses and 0 references"),
        ("zweiundvierzig", "zweiundvierzig", r"`hypotheses` must be a list of strings"),
        (
            ["zweiundvierzig"],
            "zweiundvierzig",
            r"`references` must be a list of strings",
        ),
        ([42], ["zweiundvierzig"], r"`hypotheses` must be a list of strings"),
    ],
)
def test_chrf_refuses_unpaired_lists_and_bare_strings(hypotheses, references, message):
    with pytest.raises(ValueError, match=message):
        chrf(hypotheses, references)


def test_decode_refuses_ids_out_of_range_and_a_batch(vocabulary):
    _, targets = vocabulary.encode_targets(["zweiundvierzig"])
    for bad in (vocabulary.target_size, -1):
        with pytest.raises(ValueError, match=f"Target id {bad} is out of range"):
            vocabulary.decode([3, bad, 2])
    with pytest.raises(ValueError, match=r"one sequence .* got shape \(1, 4\)"):
        vocabulary.decode(targets)
    with pytest.raises(ValueError, match="integers"):
        vocabulary.decode(np.array([3.0, 2.0]))
