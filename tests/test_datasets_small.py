"""The small data sets: digits, IRIS, XOR (loader interface, splits, scaling)."""

import numpy as np
import pytest
import sklearn.datasets

from rxnn.datasets import IRIS_FEATURES, LabelledSplit, load_digits, load_iris, load_xor
from rxnn.errors import RxnnError
from rxnn.experiments.training import ArrayDataset, TrainingConfig, evaluate, train


def test_digits_is_sklearns_data_scaled_by_16_and_split_stratified():
    digits = load_digits(test_fraction=0.25, seed=3)
    raw, labels = sklearn.datasets.load_digits(return_X_y=True)
    both = np.concatenate([digits.train.inputs(), digits.test.inputs()]) * 16
    # the two splits partition the data set: the same multiset of rows
    assert sorted(map(tuple, both)) == sorted(map(tuple, raw.astype(float)))
    assert len(digits.test) == sum(round(0.25 * n) for n in np.bincount(labels))
    assert digits.train.inputs().min() == 0.0 and digits.train.inputs().max() == 1.0
    np.testing.assert_array_equal(np.bincount(digits.test.labels), [round(0.25 * n) for n in np.bincount(labels)])


def test_splits_depend_on_the_seed_only():
    a, b, c = load_digits(seed=1), load_digits(seed=1), load_digits(seed=2)
    np.testing.assert_array_equal(a.test.inputs(), b.test.inputs())
    assert not np.array_equal(a.test.inputs(), c.test.inputs())


def test_iris_min_max_on_training_split():
    iris = load_iris(features=["petal width (cm)", "sepal length (cm)"], seed=0)
    assert iris.feature_names == ("petal width (cm)", "sepal length (cm)")
    train = iris.train.inputs()
    np.testing.assert_allclose(train.min(axis=0), 0.0)
    np.testing.assert_allclose(train.max(axis=0), 1.0)
    assert np.all((iris.test.inputs() >= 0) & (iris.test.inputs() <= 1))
    assert np.bincount(iris.test.labels).tolist() == [15, 15, 15]
    assert "clipped" in iris.scaling


def test_xor_truth_table_and_noisy_version():
    xor = load_xor()
    np.testing.assert_array_equal(xor.train.labels, np.logical_xor(*xor.train.inputs().T.astype(bool)).astype(int))
    noisy = load_xor(n_per_corner=50, noise=0.1, seed=1)
    assert len(noisy.train) == 200 and not np.array_equal(noisy.train.inputs(), noisy.test.inputs())
    corners = np.round(noisy.train.inputs())
    np.testing.assert_array_equal(noisy.train.labels, np.logical_xor(*corners.T.astype(bool)).astype(int))


def test_loaders_plug_into_rxnn_training():
    digits = load_digits()
    result = train(TrainingConfig(layer_sizes=(64, 20, 10), batch_size=50, iterations=200), digits.train)
    assert evaluate(result.network, digits.test) > 0.7  # far above the 0.1 of guessing


@pytest.mark.parametrize("call, match", [
    (lambda: load_digits(test_fraction=1.0), "test_fraction of load_digits must be a number strictly between 0 and 1"),
    (lambda: load_iris(features=["petal size"]), "features of load_iris must be distinct names"),
    (lambda: load_iris(test_fraction=0), "test_fraction of load_iris"),
    (lambda: load_xor(noise=-1.0), "noise of load_xor must be a finite number >= 0"),
    (lambda: load_xor(n_per_corner=0), "n_per_corner of load_xor must be an integer >= 1"),
    (lambda: LabelledSplit([[2.0]], [0]), r"data of LabelledSplit must be a 2-D array \(n, c_0\) of values in \[0, 1\]"),
])
def test_bad_arguments(call, match):
    with pytest.raises(RxnnError, match=match):
        call()


def test_missing_sklearn_gives_install_hint(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(RxnnError, match=r"rxnn\[ml\]"):
        load_digits()


def test_array_dataset_compatibility():
    split = load_xor().train
    assert isinstance(ArrayDataset(split.inputs(), split.labels), ArrayDataset)
