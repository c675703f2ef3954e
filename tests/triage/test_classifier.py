"""The learned router on small en/ru/pl support requests: routing, confidence, evidence, files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

from litso.triage import classifier as classifier_module
from litso.triage.classifier import (
    ModelFormatError,
    NotEnoughData,
    TextClassifier,
)
from tests.triage.routing_fixtures import DESCRIPTIONS, TEST, TRAIN, labels, texts


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return TextClassifier().fit(texts(TRAIN), labels(TRAIN))


def test_routes_unseen_requests_in_three_languages(model: TextClassifier) -> None:
    wrong = [(text, label) for text, label in TEST if model.predict(text).label != label]
    assert len(wrong) <= 1, wrong
    assert model.classes == ["billing", "delivery", "sales", "technical"]
    assert model.calibrated
    assert model.trained_on == len(TRAIN)


def test_polish_without_diacritics_and_russian_yo_route_the_same(model: TextClassifier) -> None:
    plain = model.predict("Nie moge sie zalogowac, haslo nie dziala")
    assert plain.label == "technical"
    assert model.predict("Прошу прислать счёт").label == "billing"
    assert model.predict("Прошу прислать счет").label == "billing"
    assert model.predict("Gdzie jest moja przesylka?").label == "delivery"


def test_confidence_and_alternatives_are_probabilities(model: TextClassifier) -> None:
    prediction = model.predict("Where is my parcel? The courier did not come")
    assert prediction.label == "delivery"
    assert prediction.alternatives[0] == (prediction.label, prediction.confidence)
    probabilities = [p for _, p in prediction.alternatives]
    assert len(probabilities) == 3
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.25 < prediction.confidence <= 1.0
    assert sum(probabilities) <= 1.0 + 1e-6
    rows = model.probabilities(["Where is my parcel?", "Ile kosztuje licencja?"])
    assert rows.shape == (2, 4)
    assert np.allclose(rows.sum(axis=1), 1.0)


def test_confident_on_clear_mail_less_on_mixed_mail(model: TextClassifier) -> None:
    clear = model.predict("Please send me the invoice, the refund and the VAT are wrong")
    mixed = model.predict("The courier brought the invoice and the app crashed")
    assert clear.label == "billing"
    assert clear.confidence > mixed.confidence


def test_evidence_names_words_of_the_message(model: TextClassifier) -> None:
    prediction = model.predict("Proszę o fakturę, płatność przeszła wczoraj")
    assert prediction.label == "billing"
    assert prediction.evidence
    assert set(prediction.evidence) <= {"proszę", "o", "fakturę", "płatność", "przeszła", "wczoraj"}
    assert "fakturę" in prediction.evidence or "płatność" in prediction.evidence
    russian = model.predict("Курьер потерял мою посылку")
    assert russian.label == "delivery"
    assert {"курьер", "посылку"} & set(russian.evidence)


def test_message_without_known_words_is_uniform_and_unexplained(model: TextClassifier) -> None:
    for message in ("", "   ", "!!! ???", "ქართული ენა"):
        prediction = model.predict(message)
        assert prediction.confidence == pytest.approx(0.25)
        assert prediction.evidence == []
        assert prediction.label in model.classes
    assert model.predict_many(["", "Gdzie jest paczka?"])[0].confidence == pytest.approx(0.25)


def test_predict_many_equals_predict(model: TextClassifier) -> None:
    messages = [*texts(TEST), "", "Ошибка 500"]
    batched = model.predict_many(messages)
    for message, many in zip(messages, batched, strict=True):
        one = model.predict(message)
        assert one.label == many.label
        assert one.confidence == pytest.approx(many.confidence, abs=1e-5)
        assert one.evidence == many.evidence


def test_needs_two_labels() -> None:
    with pytest.raises(NotEnoughData, match="at least two labels"):
        TextClassifier().fit(["refund please", "invoice wrong"], ["billing", "billing"])
    with pytest.raises(NotEnoughData, match="no training examples"):
        TextClassifier().fit([], [])
    with pytest.raises(NotEnoughData, match="no words"):
        TextClassifier().fit(["", "!!"], ["a", "b"])
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        TextClassifier().fit(["a b", "c d"], ["x"])
    with pytest.raises(ValueError, match="not trained"):
        TextClassifier().predict("hello")


def test_failed_refit_keeps_the_previous_model() -> None:
    model = TextClassifier().fit(texts(TRAIN), labels(TRAIN))
    before = model.predict("Gdzie jest moja paczka?")
    with pytest.raises(NotEnoughData):
        model.fit(["", "!!"], ["a", "b"])
    assert model.classes == ["billing", "delivery", "sales", "technical"]
    assert model.predict("Gdzie jest moja paczka?") == before


def test_label_with_a_single_example_is_learnt() -> None:
    rows = [*TRAIN, ("Chcę zamknąć konto i usunąć dane osobowe (RODO)", "privacy")]
    model = TextClassifier().fit(texts(rows), labels(rows))
    assert "privacy" in model.classes
    assert model.predict("Proszę usunąć moje dane osobowe").label == "privacy"
    assert model.calibrated  # the other labels still had held-out examples


def test_two_labels_route_both_ways() -> None:
    rows = [(t, y) for t, y in TRAIN if y in ("billing", "delivery")]
    model = TextClassifier().fit(texts(rows), labels(rows))
    assert model.predict("Where is my refund?").label == "billing"
    assert model.predict("Курьер не приехал").label == "delivery"
    assert len(model.predict("Kurier").alternatives) == 2


def test_cold_start_from_descriptions_routes_obvious_mail_with_low_confidence() -> None:
    model = TextClassifier.from_descriptions(DESCRIPTIONS)
    assert not model.calibrated
    assert model.source == "descriptions"
    predictions = [model.predict(text) for text in texts(TEST)]
    right = sum(p.label == label for p, label in zip(predictions, labels(TEST), strict=True))
    assert right >= 20
    assert max(p.confidence for p in predictions) < 0.9
    assert "the" not in model.predict("The password does not work").evidence


def test_cold_start_label_ids_are_not_keywords() -> None:
    model = TextClassifier.from_descriptions({"12": "Billing invoices refunds", "7": "Couriers"})
    assert model.predict("order 12 refund").label == "12"
    assert model.predict("order 12 courier").label == "7"


def test_save_and_load_give_the_same_predictions(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "models" / "department.joblib"
    model.save(path)
    loaded = TextClassifier.load(path)
    assert loaded.classes == model.classes
    assert loaded.calibrated
    assert loaded.trained_on == model.trained_on
    for message in texts(TEST):
        assert loaded.predict(message) == model.predict(message)
    assert [p.name for p in path.parent.iterdir()] == ["department.joblib"]


def test_failed_save_keeps_the_old_file(
    model: TextClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "department.joblib"
    model.save(path)
    before = path.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(classifier_module.joblib, "dump", crash)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["department.joblib"]


def test_load_refuses_other_versions_and_other_files(model: TextClassifier, tmp_path: Path) -> None:
    path = tmp_path / "m.joblib"
    model.save(path)
    state = joblib.load(path)
    state["version"] = 99
    joblib.dump(state, path)
    with pytest.raises(ModelFormatError, match=r"format version 99.*train it again"):
        TextClassifier.load(path)
    joblib.dump({"something": "else"}, path)
    with pytest.raises(ModelFormatError, match="not a Litso triage model"):
        TextClassifier.load(path)
    path.write_bytes(b"not a pickle at all")
    with pytest.raises(ModelFormatError, match="not a Litso triage model"):
        TextClassifier.load(path)
    with pytest.raises(FileNotFoundError):
        TextClassifier.load(tmp_path / "missing.joblib")


def test_routing_from_a_saved_model_does_not_load_scikit_learn(
    model: TextClassifier, tmp_path: Path
) -> None:
    # scikit-learn is 70 MB of a worker's memory; only training needs it.
    path = tmp_path / "department.joblib"
    model.save(path)
    code = (
        "import sys; from pathlib import Path; from litso.triage.classifier import TextClassifier\n"
        "m = TextClassifier.load(Path(sys.argv[1]))\n"
        "print(m.predict('Gdzie jest moja paczka?').label, 'sklearn' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["delivery", "False"]


def test_finer_labels_blend_the_two_models_half_and_half() -> None:
    train_texts, coarse = texts(TRAIN), labels(TRAIN)
    # Split every label in two by the message's length: a finer label the model can learn.
    fine = ["long" if len(t) > 40 else "short" for t in train_texts]
    pairs = [f"{a}{classifier_module.FINE_SEP}{b}" for a, b in zip(coarse, fine, strict=True)]
    blended = TextClassifier().fit(train_texts, coarse, fine_labels=fine)
    plain = TextClassifier().fit(train_texts, coarse)
    finer = TextClassifier().fit(train_texts, pairs)
    messages = [text for text, _ in TEST]
    by_label = np.zeros((len(finer.classes), len(plain.classes)))
    for row, pair in enumerate(finer.classes):
        by_label[row, plain.classes.index(pair.split(classifier_module.FINE_SEP)[0])] = 1
    expected = 0.5 * plain.probabilities(messages) + 0.5 * finer.probabilities(messages) @ by_label
    got = blended.probabilities(messages)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert not np.allclose(got, plain.probabilities(messages), atol=1e-3)
    one = blended.predict(messages[0])
    assert one.confidence == pytest.approx(float(got[0].max()), abs=1e-5)


def test_finer_labels_that_divide_nothing_are_ignored() -> None:
    train_texts, coarse = texts(TRAIN), labels(TRAIN)
    same = TextClassifier().fit(train_texts, coarse, fine_labels=["x"] * len(coarse))
    plain = TextClassifier().fit(train_texts, coarse)
    messages = [text for text, _ in TEST]
    np.testing.assert_allclose(same.probabilities(messages), plain.probabilities(messages))
    with pytest.raises(ValueError, match="fine labels"):
        TextClassifier().fit(train_texts, coarse, fine_labels=["x"])


def test_finer_model_is_saved_and_older_files_still_load(tmp_path: Path) -> None:
    train_texts, coarse = texts(TRAIN), labels(TRAIN)
    fine = ["long" if len(t) > 40 else "short" for t in train_texts]
    model = TextClassifier().fit(train_texts, coarse, fine_labels=fine)
    path = tmp_path / "router.joblib"
    model.save(path)
    messages = [text for text, _ in TEST]
    loaded = TextClassifier.load(path)
    np.testing.assert_allclose(loaded.probabilities(messages), model.probabilities(messages))
    state = joblib.load(path)
    del state["fine"]  # as written before finer labels existed
    joblib.dump(state, path)
    older = TextClassifier.load(path)
    assert older._fine is None
    assert older.predict(messages[0]).label in model.classes
