"""Unit tests of the dates task (chapter 08): formats, readings, splits, vocabularies, model, translate,
attention plots, and the trained model shipped with the package."""

import datetime
import json
import re
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lstm_attention.tasks  # noqa: E402
from lstm_attention.tasks import (  # noqa: E402
    DATE_FORMATS,
    FIRST_DATE,
    HELD_OUT_FORMATS,
    ISO_CHARACTERS,
    LAST_DATE,
    MAX_INPUT_LENGTH,
    TRAINING_FORMATS,
    DateFormat,
    DateVocabulary,
    build_date_model,
    date_attention_model,
    date_datasets,
    date_exact_match,
    date_examples,
    date_readings,
    dates,  # noqa: E402
    default_date_vocabulary,
    english_ordinal,
    length_bucketed_batches,
    plot_date_attention,
    pretrained_date_model,
    save_date_model,
    split_dates,
    translate,
    trim_padding,
)

dates_module = dates
MAY_3_1998 = datetime.date(1998, 5, 3)


# --- formats -------------------------------------------------------------------------------------------------


def test_there_are_many_distinct_formats_in_many_locales_some_held_out():
    assert len({f.name for f in DATE_FORMATS}) == len(DATE_FORMATS) >= 60
    assert (
        DATE_FORMATS == TRAINING_FORMATS + HELD_OUT_FORMATS
        and len(HELD_OUT_FORMATS) >= 10
    )
    assert len({f.locale for f in DATE_FORMATS}) >= 12
    assert {"en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "pt_BR", "ja_JP"} <= {
        f.locale for f in DATE_FORMATS
    }
    assert {f.case for f in TRAINING_FORMATS} == {None, "upper", "lower", "title"}


def test_numbers_come_in_every_order_and_separator():
    may_3 = {f.render(MAY_3_1998) for f in TRAINING_FORMATS if f.numeric}
    assert {"1998-05-03", "1998/05/03", "1998. 05. 03."} <= may_3  # year first
    assert {"03.05.98", "03/05/1998", "03-05-1998"} <= may_3  # day first
    assert {"5/3/98", "05/03/1998", "05-03-1998"} <= may_3  # month first


def test_held_out_formats_write_other_strings_with_known_characters():
    days = split_dates(seed=0).test[::50]
    training = {f.render(day) for f in TRAINING_FORMATS for day in days}
    for date_format in HELD_OUT_FORMATS:
        written = {date_format.render(day) for day in days}
        assert written - training, (
            f"{date_format.name} writes only strings of the training formats"
        )
    held_out_characters = set(
        "".join(f.render(d) for f in HELD_OUT_FORMATS for d in days)
    )
    assert held_out_characters <= set("".join(training))


@pytest.mark.parametrize(
    "date_format, expected",
    [
        (DateFormat("en_US", "short"), "5/3/98"),
        (DateFormat("en_US", "full"), "Sunday, May 3, 1998"),
        (DateFormat("en_GB", "medium"), "3 May 1998"),
        (DateFormat("de_DE", "short"), "03.05.98"),
        (DateFormat("de_DE", "full"), "Sonntag, 3. Mai 1998"),
        (DateFormat("fr_FR", "full"), "dimanche 3 mai 1998"),
        (DateFormat("es_ES", "long"), "3 de mayo de 1998"),
        (DateFormat("en_US", "MMM {ordinal} yy"), "May 3rd 98"),
        (DateFormat("en_GB", "{ordinal} 'of' MMMM y"), "3rd of May 1998"),
        (DateFormat("en_US", "dd MMM y", case="upper"), "03 MAY 1998"),
        (DateFormat("en_US", "long", case="lower"), "may 3, 1998"),
        (DateFormat("es_ES", "long", case="title"), "3 De Mayo De 1998"),
        (DateFormat("de_DE", "EEE, d. MMM y"), "So., 3. Mai 1998"),
        (DateFormat("de_DE", "EEE, d. MMM y", dots=False), "So, 3. Mai 1998"),
        (DateFormat("hu_HU", "short"), "1998. 05. 03."),
        (DateFormat("zh_CN", "short"), "1998/5/3"),
        (DateFormat("en_US", "y.MM.dd"), "1998.05.03"),
        (DateFormat("en_GB", "EEEE {ordinal} MMMM y"), "Sunday 3rd May 1998"),
    ],
)
def test_formats_write_3_may_1998(date_format, expected):
    assert date_format.render(MAY_3_1998) == expected


def test_every_format_of_the_generator_is_used_and_non_ascii_month_names_appear():
    march, december = datetime.date(1998, 3, 3), datetime.date(1998, 12, 3)
    written = {f.render(day) for f in DATE_FORMATS for day in (march, december)}
    assert "3. März 1998" in written and "3 décembre 1998" in written


@pytest.mark.parametrize(
    "number, ordinal",
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (30, "30th"),
        (31, "31st"),
    ],
)
def test_english_ordinal(number, ordinal):
    assert english_ordinal(number) == ordinal


def test_bad_case_raises():
    with pytest.raises(ValueError, match="`case` must be one of"):
        DateFormat("en_US", "long", case="capitals")


def test_no_string_with_names_means_two_dates():
    days_of = {}
    for year in (1998, 2000):
        day = datetime.date(year, 1, 1)
        while day.year == year:
            for date_format in DATE_FORMATS:
                if not date_format.numeric:
                    assert days_of.setdefault(date_format.render(day), day) == day
            day += datetime.timedelta(days=1)


def test_numeric_formats_read_back_what_they_write():
    numeric = [f for f in DATE_FORMATS if f.numeric]
    assert len(numeric) >= 15 and not DateFormat("en_US", "long").numeric
    rng = np.random.default_rng(0)
    span = (LAST_DATE - FIRST_DATE).days
    for offset in rng.integers(0, span + 1, size=40):
        day = FIRST_DATE + datetime.timedelta(days=int(offset))
        for date_format in numeric:
            string = date_format.render(day)
            assert date_format.read(string) == day
            assert day in date_readings(string)
    assert DateFormat("en_US", "long").read("May 3, 1998") is None


@pytest.mark.parametrize(
    "string, readings",
    [
        ("3/5/98", ["1998-03-05", "1998-05-03"]),  # en_US short, es_ES short
        ("05/03/1998", ["1998-03-05", "1998-05-03"]),  # en_US MM/dd/y, en_GB short
        ("05-03-1998", ["1998-03-05", "1998-05-03"]),  # en_US MM-dd-y, nl_NL short
        ("03/05/98", ["1998-05-03"]),  # only it_IT short writes it
        ("13/05/1998", ["1998-05-13"]),
        ("5/5/98", ["1998-05-05"]),
        ("31/02/1998", []),
        ("1998-05-03", ["1998-05-03"]),
        ("May 3, 1998", []),  # names are not read back
    ],
)
def test_date_readings(string, readings):
    assert [day.isoformat() for day in date_readings(string)] == readings


def test_every_string_fits_the_vocabulary_and_the_length_limit():
    vocabulary = default_date_vocabulary()
    rng = np.random.default_rng(0)
    span = (LAST_DATE - FIRST_DATE).days
    days = [
        FIRST_DATE + datetime.timedelta(days=int(i))
        for i in rng.integers(0, span + 1, size=100)
    ]
    days += [
        datetime.date(2037, 9, 30),
        FIRST_DATE,
        LAST_DATE,
    ]  # the longest strings, and the ends of the range
    strings = [f.render(day) for f in DATE_FORMATS for day in days]
    assert max(len(s) for s in strings) <= MAX_INPUT_LENGTH
    assert vocabulary.unknown_characters(strings) == ""


# --- splits and examples -------------------------------------------------------------------------------------


def test_splits_are_disjoint_cover_the_range_and_are_deterministic():
    splits = split_dates(seed=0)
    train, validation, test = (set(days) for days in splits)
    assert not train & validation and not train & test and not validation & test
    assert len(train | validation | test) == (LAST_DATE - FIRST_DATE).days + 1
    assert len(test) == pytest.approx(0.1 * len(train | validation | test), abs=1)
    assert split_dates(seed=0) == splits
    assert split_dates(seed=1).test != splits.test
    assert list(splits.test) == sorted(splits.test)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"test_fraction": 0},
        {"validation_fraction": 1.2},
        {"test_fraction": 0.6, "validation_fraction": 0.5},
        {"test_fraction": "0.1"},
        {"first": LAST_DATE, "last": FIRST_DATE},
    ],
)
def test_split_dates_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        split_dates(**kwargs)


def test_examples_are_deterministic_balanced_and_right():
    days = split_dates(seed=0).test
    examples = date_examples(days, 3 * len(TRAINING_FORMATS), seed=5)
    assert examples == date_examples(days, 3 * len(TRAINING_FORMATS), seed=5)
    assert examples != date_examples(days, 3 * len(TRAINING_FORMATS), seed=6)
    assert set(np.unique(examples.formats, return_counts=True)[1]) == {3}
    formats = {f.name: f for f in DATE_FORMATS}
    for string, target, name, ambiguous in zip(*examples):
        day = datetime.date.fromisoformat(target)
        assert day in set(days) and formats[name].render(day) == string
        assert ambiguous == (len(date_readings(string)) > 1)
    assert set(examples.formats) == {f.name for f in TRAINING_FORMATS}
    held_out = date_examples(
        days, 2 * len(HELD_OUT_FORMATS), seed=5, formats=HELD_OUT_FORMATS
    )
    assert set(held_out.formats) == {f.name for f in HELD_OUT_FORMATS}


def test_examples_of_different_splits_share_no_date():
    splits = split_dates(seed=0)
    train = date_examples(splits.train, 500, seed=1)
    test = date_examples(splits.test, 500, seed=1)
    assert not set(train.targets) & set(test.targets)


@pytest.mark.parametrize(
    "count, days",
    [(0, [MAY_3_1998]), (2.5, [MAY_3_1998]), (True, [MAY_3_1998]), (3, [])],
)
def test_date_examples_refuses_bad_arguments(count, days):
    with pytest.raises(ValueError):
        date_examples(days, count)


# --- vocabularies --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vocabulary():
    return default_date_vocabulary()


def test_reserved_ids_and_sizes(vocabulary):
    ids = vocabulary.encode(["3 May 1998"])
    assert ids.shape == (1, MAX_INPUT_LENGTH) and ids.dtype == np.int32
    assert np.all(ids[0, 10:] == 0) and np.all(ids[0, :10] >= 2)
    assert vocabulary.input_size == len(vocabulary.input_characters) + 2
    assert (
        vocabulary.output_size == len(ISO_CHARACTERS) == 11
        and vocabulary.output_length == 10
    )


def test_the_default_vocabulary_is_deterministic(vocabulary):
    assert default_date_vocabulary() == vocabulary
    assert list(vocabulary.input_characters) == sorted(vocabulary.input_characters)
    assert set("äéáûçøÉÄ") <= set(vocabulary.input_characters)


def test_input_round_trip(vocabulary):
    strings = [
        "3. März 1998",
        "miércoles, 30 de septiembre de 2037",
        "5/3/98",
        "DÉCEMBRE",
        "março",
        "søndag",
    ]
    assert vocabulary.decode(vocabulary.encode(strings)) == strings


def test_target_round_trip(vocabulary):
    targets = ["1998-05-03", "2037-09-30"]
    one_hot = vocabulary.encode_targets(targets)
    assert one_hot.shape == (2, 10, 11) and np.all(one_hot.sum(-1) == 1)
    assert vocabulary.decode_outputs(one_hot) == targets


def test_decode_refuses_ids_out_of_range_and_a_single_row(vocabulary):
    ids = vocabulary.encode(["3 May 1998"])
    for bad in (vocabulary.input_size, -1):
        wrong = ids.copy()
        wrong[0, 2] = bad
        with pytest.raises(ValueError, match=f"Input id {bad} is out of range"):
            vocabulary.decode(wrong)
    with pytest.raises(ValueError, match=r"shape \(40,\) .*pass \[ids\]"):
        vocabulary.decode(ids[0])
    with pytest.raises(ValueError, match="integers"):
        vocabulary.decode(ids.astype("float32"))


def test_decode_outputs_refuses_one_prediction_instead_of_a_batch(vocabulary):
    one_hot = vocabulary.encode_targets(["1998-05-03"])
    with pytest.raises(ValueError, match=r"got shape \(10, 11\): .*pass y\[None\]"):
        vocabulary.decode_outputs(one_hot[0])
    with pytest.raises(
        ValueError, match=r"shape \(batch, 10, 11\); got shape \(1, 10, 5\)"
    ):
        vocabulary.decode_outputs(one_hot[..., :5])


@pytest.mark.parametrize("target", ["1998-5-3", "1998/05/03", "1998-05-033"])
def test_bad_targets_raise(vocabulary, target):
    with pytest.raises(ValueError, match="is not 10 characters"):
        vocabulary.encode_targets([target])


def test_json_round_trip(vocabulary, tmp_path):
    path = tmp_path / "vocabulary.json"
    path.write_text(vocabulary.to_json(), encoding="utf-8")
    assert DateVocabulary.from_json(path.read_text(encoding="utf-8")) == vocabulary
    custom = DateVocabulary("abc", max_length=7)
    assert DateVocabulary.from_json(custom.to_json()) == custom
    assert json.loads(custom.to_json())["max_length"] == 7


def test_unknown_characters_warn_by_default_and_map_to_id_1(vocabulary):
    with pytest.warns(UserWarning, match="not in the vocabulary: '!'"):
        ids = vocabulary.encode(["3 May 1998!"])
    assert ids[0, 10] == 1
    assert vocabulary.decode(ids) == ["3 May 1998\N{REPLACEMENT CHARACTER}"]


def test_unknown_characters_raise_or_pass_silently_on_request(vocabulary):
    with pytest.raises(ValueError, match="'ñ'"):
        vocabulary.encode(["3 de mayo de 1998", "año 1998"], unknown="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert vocabulary.encode(["año"], unknown="ignore")[0, 1] == 1
    with pytest.raises(ValueError, match="`unknown`"):
        vocabulary.encode(["1998"], unknown="replace")


@pytest.mark.parametrize(
    "strings, message",
    [
        (["3 May 1998", ""], "Item 1 is an empty string"),
        (
            ["x" * (MAX_INPUT_LENGTH + 1)],
            f"41 characters, more than max_length={MAX_INPUT_LENGTH}",
        ),
        ("3 May 1998", "Expected a list of strings"),
        ([], "empty list"),
        ([1998], "Item 0 is a int"),
    ],
)
def test_bad_strings_raise(vocabulary, strings, message):
    with pytest.raises(ValueError, match=message):
        vocabulary.encode(strings)


def test_a_string_of_exactly_max_length_is_accepted(vocabulary):
    assert vocabulary.encode(["1" * MAX_INPUT_LENGTH]).shape == (1, MAX_INPUT_LENGTH)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_characters": ""},
        {"input_characters": "aba"},
        {"input_characters": "ab", "max_length": 0},
        {"input_characters": "ab", "output_characters": "00"},
    ],
)
def test_bad_vocabularies_raise(kwargs):
    with pytest.raises(ValueError):
        DateVocabulary(**kwargs)


def test_trim_padding():
    ids = np.array([[5, 6, 0, 0, 0], [7, 0, 0, 0, 0]])
    assert trim_padding(ids).tolist() == [[5, 6], [7, 0]]
    assert trim_padding(np.zeros((2, 4), int)).shape == (2, 1)
    # Only trailing padding goes: a padding column in front of the strings stays.
    front = np.array([[0, 0, 5, 0], [0, 3, 4, 0]])
    assert trim_padding(front).tolist() == [[0, 0, 5], [0, 3, 4]]


def test_length_bucketed_batches_cover_every_row_once_trimmed(vocabulary):
    examples = date_examples(split_dates(seed=0).train, 200, seed=0)
    ids, targets = (
        vocabulary.encode(examples.strings),
        vocabulary.encode_targets(examples.targets),
    )
    batches = list(length_bucketed_batches(ids, targets, batch_size=32, seed=0))
    assert sum(len(x) for x, _ in batches) == 200 and len(batches) == 7
    seen = sorted(vocabulary.decode(x)[i] for x, _ in batches for i in range(len(x)))
    assert seen == sorted(examples.strings)
    for x, y in batches:
        assert x.shape[1] == (x != 0).sum(axis=1).max() and y.shape == (len(x), 10, 11)
    again = list(length_bucketed_batches(ids, targets, batch_size=32, seed=0))
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(batches, again))
    with pytest.raises(ValueError):
        next(length_bucketed_batches(ids, targets[:10]))
    with pytest.raises(ValueError):
        next(length_bucketed_batches(ids, targets, batch_size=0))


# --- model, translate, attention -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model():
    keras.utils.set_random_seed(0)
    return build_date_model(embedding_dim=4, encoder_units=4, decoder_units=4)


def test_model_shapes_and_masking(tiny_model, vocabulary):
    ids = vocabulary.encode(["3 May 1998", "Sunday, May 3, 1998"])
    y = keras.ops.convert_to_numpy(tiny_model(ids))
    assert y.shape == (2, 10, 11) and np.allclose(y.sum(-1), 1, atol=1e-5)
    assert np.allclose(
        keras.ops.convert_to_numpy(tiny_model(trim_padding(ids))), y, atol=1e-6
    )
    alpha = keras.ops.convert_to_numpy(date_attention_model(tiny_model)(ids))
    assert alpha.shape == (2, 10, MAX_INPUT_LENGTH)
    assert np.all(alpha[0, :, 10:] == 0) and np.allclose(alpha.sum(-1), 1, atol=1e-5)


def test_translate_returns_real_dates_in_order(tiny_model):
    strings = ["March 3rd, 1998", "03.05.98", "miércoles, 30 de septiembre de 2037"] * 3
    answers = translate(tiny_model, strings, batch_size=2)
    assert len(answers) == len(strings)
    assert all(
        FIRST_DATE <= datetime.date.fromisoformat(a) <= LAST_DATE for a in answers
    )
    assert (
        answers[:3] * 3 == answers
    )  # the same string gets the same answer wherever it is in the batch
    assert translate(tiny_model, "03.05.98") == answers[1]


@pytest.mark.parametrize(
    "strings, error",
    [
        ([""], "empty string"),
        (["9" * 41], "max_length=40"),
        ([], "empty list"),
        ([None], "not a string"),
    ],
)
def test_translate_refuses_bad_strings(tiny_model, strings, error):
    with pytest.raises(ValueError, match=error):
        translate(tiny_model, strings)


def test_translate_warns_about_unknown_characters(tiny_model):
    with pytest.warns(UserWarning, match="'!'"):
        answers = translate(tiny_model, ["3 May 1998!"])
    assert datetime.date.fromisoformat(answers[0])
    with pytest.raises(ValueError, match="'!'"):
        translate(tiny_model, ["3 May 1998!"], unknown="raise")


def test_translate_refuses_a_model_of_another_vocabulary(tiny_model):
    with pytest.raises(ValueError, match="Embedding knows"):
        translate(
            tiny_model, ["3 May 1998"], vocabulary=DateVocabulary("0123456789 May")
        )
    with pytest.raises(ValueError, match="writes"):
        translate(
            tiny_model,
            ["3"],
            vocabulary=DateVocabulary("0123456789", output_characters="0123456789"),
        )
    with pytest.raises(ValueError, match="batch_size"):
        translate(tiny_model, ["3 May 1998"], batch_size=0)


def test_translate_works_with_a_saved_and_loaded_model(
    tiny_model, tmp_path, vocabulary
):
    tiny_model.optimizer.build(
        tiny_model.trainable_variables
    )  # as after training, so that it saves and loads
    tiny_model.save(tmp_path / "dates.keras")
    loaded = keras.models.load_model(tmp_path / "dates.keras")
    strings = ["3 May 1998", "Sunday, May 3, 1998", "1998/05/03"]
    assert translate(loaded, strings) == translate(tiny_model, strings)
    vocabulary_again = DateVocabulary.from_json(vocabulary.to_json())
    assert translate(loaded, strings, vocabulary_again) == translate(
        tiny_model, strings
    )
    ids = vocabulary.encode(strings)
    assert np.array_equal(
        keras.ops.convert_to_numpy(date_attention_model(loaded)(ids)),
        keras.ops.convert_to_numpy(date_attention_model(tiny_model)(ids)),
    )


def test_plot_date_attention_labels_both_axes_with_characters(tiny_model):
    ax = plot_date_attention(tiny_model, "3 May 1998")
    assert [t.get_text() for t in ax.get_xticklabels()] == list("3␣May␣1998")
    answer = translate(tiny_model, "3 May 1998", constrained=False)  # what it writes
    assert [t.get_text() for t in ax.get_yticklabels()] == list(answer)
    assert ax.images[0].get_array().shape == (10, 10)
    assert "3 May 1998" in ax.get_title() and answer in ax.get_title()
    plt.close(ax.figure)


def test_plot_date_attention_draws_on_a_given_axes(tiny_model):
    fig, ax = plt.subplots()
    assert plot_date_attention(tiny_model, "03.05.98", ax=ax) is ax
    plt.close(fig)


def test_plot_date_attention_refuses_bad_input(tiny_model):
    with pytest.raises(ValueError, match="one string"):
        plot_date_attention(tiny_model, ["3 May 1998"])
    with pytest.raises(ValueError, match="empty string"):
        plot_date_attention(tiny_model, "")


def test_no_attention_to_show_without_return_attention():
    characters = keras.Input(shape=(None,), dtype="int32")
    h = keras.layers.LSTM(4, return_sequences=True)(
        keras.layers.Embedding(67, 4, mask_zero=True)(characters)
    )
    from lstm_attention import AttentionDecoder

    model = keras.Model(characters, AttentionDecoder(4, 11, output_length=10)(h))
    with pytest.raises(ValueError, match="return_attention=False"):
        date_attention_model(model)
    with pytest.raises(ValueError, match="one AttentionDecoder"):
        date_attention_model(
            keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        )


# --- the package's face, the data of the chapter, the shipped model ----------------------------------------


def test_import_lstm_attention_needs_no_babel():
    code = "import sys, lstm_attention; print('babel' in sys.modules, 'lstm_attention.tasks' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


def test_the_tasks_package_exports_the_whole_dates_module():
    assert set(dates.__all__) <= set(lstm_attention.tasks.__all__)
    assert all(
        getattr(lstm_attention.tasks, name) is getattr(dates, name)
        for name in dates.__all__
    )
    assert not {"translate", "DateFormat", "build_date_model"} & set(
        lstm_attention.__all__
    )


@pytest.fixture(scope="module")
def datasets():
    return date_datasets()


def test_the_chapters_data(datasets):
    assert [len(examples.strings) for examples in datasets] == [
        40_000,
        20 * len(TRAINING_FORMATS),
        100 * len(TRAINING_FORMATS),
        200 * len(HELD_OUT_FORMATS),
    ]
    splits = split_dates(seed=0)
    assert set(datasets.test.targets) | set(datasets.new_formats.targets) <= {
        d.isoformat() for d in splits.test
    }
    assert not set(datasets.train.targets) & set(datasets.test.targets)
    assert set(datasets.new_formats.formats) == {f.name for f in HELD_OUT_FORMATS}
    assert (
        not any(datasets.new_formats.ambiguous)
        and 0.02 < np.mean(datasets.train.ambiguous) < 0.06
    )


def test_date_exact_match_counts_ambiguous_strings_apart():
    examples = dates.DateExamples(
        ["a", "b", "c", "d"],
        ["1", "2", "3", "4"],
        ["f"] * 4,
        [False, False, True, True],
    )
    answers = ["1", "x", "3", "x"]
    assert date_exact_match(answers, examples) == 0.5
    assert date_exact_match(answers, examples, ambiguous=True) == 0.5
    assert date_exact_match(["1", "2", "x", "x"], examples) == 1.0
    none_ambiguous = examples._replace(ambiguous=[False] * 4)
    assert np.isnan(date_exact_match(answers, none_ambiguous, ambiguous=True))


def test_save_date_model_and_load_it_again(tiny_model, tmp_path, vocabulary):
    path = save_date_model(tiny_model, tmp_path)
    assert (
        path == tmp_path / "dates_model.keras"
        and (tmp_path / "dates_vocabulary.json").exists()
    )
    model, vocabulary_again = pretrained_date_model(tmp_path)
    assert vocabulary_again == vocabulary
    strings = ["3 May 1998", "1998/5/3", "SUNDAY, 3 MAY 1998"]
    assert translate(model, strings, vocabulary_again) == translate(tiny_model, strings)
    with pytest.raises(ValueError, match="Embedding knows"):
        save_date_model(
            tiny_model, tmp_path / "other", vocabulary=DateVocabulary("0123456789 May")
        )


def test_the_shipped_model_still_scores_99_percent_on_the_chapters_test_set(datasets):
    shipped = importlib_resources_path("dates_model.keras")
    assert shipped.stat().st_size < 1_000_000, "the shipped model should stay small"
    model, vocabulary = pretrained_date_model()
    assert vocabulary == default_date_vocabulary()
    answers = translate(model, datasets.test.strings, vocabulary)
    assert date_exact_match(answers, datasets.test) >= 0.99
    ax = plot_date_attention(model, "Sunday, May 3, 1998", vocabulary=vocabulary)
    assert ax.get_title().endswith("1998-05-03")
    plt.close(ax.figure)


def importlib_resources_path(name):
    import importlib.resources

    return importlib.resources.files("lstm_attention.tasks") / name


# --- only real dates: best_dates, date_problem, date_answers ----------------------------------------------------


def test_best_dates_is_the_best_of_every_day_scored_one_by_one(vocabulary):
    rng = np.random.default_rng(0)
    y = rng.dirichlet(np.full(11, 0.3), size=(40, 10))  # peaked, like a trained model's
    days = [
        FIRST_DATE + datetime.timedelta(n)
        for n in range((LAST_DATE - FIRST_DATE).days + 1)
    ]
    ids = np.array(
        [[vocabulary.output_characters.index(c) for c in d.isoformat()] for d in days]
    )
    log_p = sum(np.log(y[:, t, ids[:, t]]) for t in range(10))  # (40, days)
    dates, confidence = dates_module.best_dates(y, vocabulary)
    assert dates == [days[i].isoformat() for i in log_p.argmax(axis=1)]
    assert np.allclose(confidence, np.exp(log_p.max(axis=1)))


def test_best_dates_finds_the_29th_of_february_only_in_leap_years(vocabulary):
    for year, expected in ((2000, "2000-02-29"), (1999, "1999-02-28")):
        y = 0.9 * vocabulary.encode_targets([f"{year}-02-29"])
        y += 0.1 * vocabulary.encode_targets([f"{year}-02-28"])  # 9 to 1 for the 29th
        assert dates_module.best_dates(y, vocabulary)[0] == [expected]


def test_best_dates_refuses_a_wrong_shape_and_another_alphabet(vocabulary):
    with pytest.raises(ValueError, match=r"\(batch, 10, 11\); got shape \(10, 11\)"):
        dates_module.best_dates(np.ones((10, 11)) / 11, vocabulary)
    with pytest.raises(ValueError, match="reads ISO dates"):
        dates_module.best_dates(
            np.ones((1, 10, 10)) / 10,
            DateVocabulary("ab", output_characters="0123456789"),
        )


@pytest.mark.parametrize(
    "string, fields",
    [
        ("30 February 1998", (1998, 2, 30)),
        ("MAY 3, 1850", (1850, 5, 3)),
        ("sonntag, 3. mai 1998", (1998, 5, 3)),
        ("3rd of May 1998", (1998, 5, 3)),
        ("31/04/98", (1998, 4, 31)),
        ("3 sept 1998", (1998, 9, 3)),
    ],
)
def test_the_formats_read_what_a_string_says_even_a_day_that_does_not_exist(
    string, fields
):
    assert fields in {f.fields(string) for f in DATE_FORMATS}


def test_fields_agrees_with_read_on_every_written_date():
    day = datetime.date(2037, 9, 30)
    for date_format in DATE_FORMATS:
        string = date_format.render(day)
        assert date_format.fields(string) == (2037, 9, 30), date_format.name


@pytest.mark.parametrize(
    "string, problem",
    [
        ("hello world", "nothing date-like"),
        ("   ", "nothing date-like"),
        ("30 February 1998", r"^1998-02-30 is not a day$"),
        ("29 FEB 2001", r"^2001-02-29 is not a day$"),
        (
            "May 3, 1850",
            r"^1850-05-03 is outside the model's range, 1950-01-01 to 2049-12-31$",
        ),
        ("the third of May, 2150", r"^the year 2150 is outside the model's range"),
    ],
)
def test_date_problem_names_what_is_wrong(string, problem):
    assert re.search(problem, dates_module.date_problem(string))


@pytest.mark.parametrize(
    "string",
    ["3 May 1998", "29 FEB 2000", "3/5/1998", "1998-5-3", "the third of May, 1998"],
)
def test_date_problem_lets_through_what_may_be_a_date(string):
    assert dates_module.date_problem(string) is None


def test_every_generated_string_may_be_a_date():
    examples = date_examples(split_dates().test, 2000, seed=3, formats=DATE_FORMATS)
    assert [s for s in examples.strings if dates_module.date_problem(s)] == []


def test_translate_returns_none_for_strings_that_name_no_date(tiny_model):
    strings = ["3 May 1998", "hello world", "30 February 1998", "May 3, 1850", "   "]
    answers = translate(tiny_model, strings)
    assert answers[1:] == [None] * 4 and datetime.date.fromisoformat(answers[0])
    free = translate(tiny_model, strings, constrained=False)
    assert all(len(a) == 10 and set(a) <= set(ISO_CHARACTERS) for a in free)
    assert translate(tiny_model, "hello world") is None


def test_translate_dates_any_string_that_date_problem_lets_through(tiny_model):
    # None comes only in the cases `date_problem` names, and "hello 5" is none of them.
    assert dates_module.date_problem("hello 5") is None
    answer = dates_module.date_answers(tiny_model, "hello 5")
    assert answer.problem is None and datetime.date.fromisoformat(answer.date)
    assert 0 < answer.confidence <= 1
    assert translate(tiny_model, "hello 5") == answer.date


def test_date_answers_give_the_date_its_probability_and_the_problem(
    tiny_model, vocabulary
):
    strings = ["3 May 1998", "30 February 1998"]
    good, bad = dates_module.date_answers(tiny_model, strings)
    y = keras.ops.convert_to_numpy(tiny_model(vocabulary.encode(strings[:1])))[0]
    ids = [vocabulary.output_characters.index(c) for c in good.date]
    assert good.problem is None and good.date == translate(tiny_model, strings[0])
    assert good.confidence == pytest.approx(np.prod(y[np.arange(10), ids]), rel=1e-4)
    assert bad == (None, None, "1998-02-30 is not a day")
    alone = dates_module.date_answers(tiny_model, "3 May 1998")  # a batch of its own
    assert alone.date == good.date and alone.confidence == pytest.approx(
        good.confidence
    )
    with pytest.raises(ValueError, match="batch_size"):
        dates_module.date_answers(tiny_model, ["3 May 1998"], batch_size=0)
