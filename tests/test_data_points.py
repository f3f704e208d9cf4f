"""Point files: round trips, normalization, path resolution and each bad-file case."""

import csv
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import ganlab.data.pointfile as pointfile
from ganlab.data import make_distribution, read_point_file, resolve_data_section
from ganlab.errors import ConfigError, DataError, DataFileNotFoundError

REPO = Path(__file__).resolve().parents[1]
POINTS = np.array([[0.5, -1.25], [2.0, 3.5], [-4.0, 0.0], [1e-3, 7.0], [6.0, -2.5]])


def write_csv(path, rows, header=None, delimiter=","):
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_with_header_round_trip(tmp_path):
    path = write_csv(tmp_path / "p.csv", POINTS.tolist(), header=["x", "y"])
    np.testing.assert_array_equal(read_point_file(path), POINTS)


def test_csv_without_header_round_trip(tmp_path):
    path = tmp_path / "p.csv"
    np.savetxt(path, POINTS, delimiter=",")
    np.testing.assert_array_equal(read_point_file(path), POINTS)


def test_tsv_and_whitespace_text(tmp_path):
    tab = write_csv(tmp_path / "p.tsv", POINTS.tolist(), header=["a", "b"], delimiter="\t")
    spaced = tmp_path / "p.txt"
    np.savetxt(spaced, POINTS, header="x y")  # numpy writes a '# x y' comment line
    np.testing.assert_array_equal(read_point_file(tab), POINTS)
    np.testing.assert_array_equal(read_point_file(spaced), POINTS)


def test_csv_single_column_is_1d(tmp_path):
    path = write_csv(tmp_path / "p.csv", [[v] for v in POINTS[:, 0]], header=["x"])
    points = read_point_file(path)
    assert points.shape == (5, 1)
    np.testing.assert_array_equal(points[:, 0], POINTS[:, 0])


def test_npy_round_trip(tmp_path):
    np.save(tmp_path / "p.npy", POINTS.astype(np.float32))
    np.testing.assert_array_equal(read_point_file(tmp_path / "p.npy"), POINTS.astype(np.float32))


def test_npy_1d_array_means_dimension_one(tmp_path):
    np.save(tmp_path / "p.npy", np.arange(7))
    points = read_point_file(tmp_path / "p.npy")
    assert points.shape == (7, 1)
    assert points.dtype == np.float64


def test_npz_single_array_and_key(tmp_path):
    np.savez(tmp_path / "one.npz", points=POINTS)
    np.savez(tmp_path / "two.npz", first=POINTS, second=POINTS[:, :1])
    np.testing.assert_array_equal(read_point_file(tmp_path / "one.npz"), POINTS)
    np.testing.assert_array_equal(read_point_file(tmp_path / "two.npz", key="second"), POINTS[:, :1])


def test_columns_select_from_wide_file(tmp_path):
    wide = np.column_stack([POINTS, POINTS[:, 0] * 10])
    np.save(tmp_path / "wide.npy", wide)
    points = read_point_file(tmp_path / "wide.npy", columns=[2, 0])
    np.testing.assert_array_equal(points, wide[:, [2, 0]])


def test_sampling_draws_file_rows_uniformly(tmp_path):
    np.save(tmp_path / "p.npy", POINTS)
    cloud = make_distribution("points", {"path": str(tmp_path / "p.npy")})
    samples = cloud.sample(50_000, torch.Generator().manual_seed(0)).numpy()
    matches = (samples[:, None, :] == POINTS[None, :, :]).all(axis=2)
    assert np.all(matches.sum(axis=1) == 1)
    frequencies = matches.sum(axis=0)
    expected = 50_000 / 5
    assert np.all(np.abs(frequencies - expected) < 5 * np.sqrt(expected * 0.8))


def test_sampling_reproduces_with_seed(tmp_path):
    np.save(tmp_path / "p.npy", POINTS)
    cloud = make_distribution("points", {"path": str(tmp_path / "p.npy")})
    first = cloud.sample(100, torch.Generator().manual_seed(3))
    again = cloud.sample(100, torch.Generator().manual_seed(3))
    other = cloud.sample(100, torch.Generator().manual_seed(4))
    assert torch.equal(first, again)
    assert not torch.equal(first, other)


def test_standardize(tmp_path):
    np.save(tmp_path / "p.npy", POINTS)
    cloud = make_distribution("points", {"path": str(tmp_path / "p.npy"), "normalize": "standardize"})
    np.testing.assert_allclose(cloud.points.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(cloud.points.std(axis=0), 1.0)
    np.testing.assert_allclose(cloud.points * cloud.scale + cloud.offset, POINTS)


def test_scale_to_unit_box(tmp_path):
    np.save(tmp_path / "p.npy", POINTS)
    cloud = make_distribution("points", {"path": str(tmp_path / "p.npy"), "normalize": "scale"})
    np.testing.assert_allclose(cloud.points.min(axis=0), -1.0)
    np.testing.assert_allclose(cloud.points.max(axis=0), 1.0)
    np.testing.assert_allclose(cloud.points * cloud.scale + cloud.offset, POINTS)


def test_constant_column_cannot_be_standardized(tmp_path):
    np.save(tmp_path / "p.npy", np.column_stack([POINTS[:, 0], np.ones(5)]))
    with pytest.raises(DataError, match="column 1 is constant"):
        make_distribution("points", {"path": str(tmp_path / "p.npy"), "normalize": "standardize"})


def test_relative_path_uses_base_dir(tmp_path):
    (tmp_path / "configs").mkdir()
    np.save(tmp_path / "p.npy", POINTS)
    name, params = resolve_data_section({"name": "points", "path": "../p.npy"}, tmp_path / "configs")
    assert Path(params["path"]) == tmp_path / "p.npy"
    cloud = make_distribution("points", {"path": "../p.npy"}, base_dir=tmp_path / "configs")
    np.testing.assert_array_equal(cloud.points, POINTS)


def test_relative_path_without_base_dir_uses_cwd(tmp_path, monkeypatch):
    np.save(tmp_path / "p.npy", POINTS)
    monkeypatch.chdir(tmp_path)
    _, params = resolve_data_section({"name": "points", "path": "p.npy"})
    assert Path(params["path"]) == tmp_path / "p.npy"


def test_missing_path_parameter():
    with pytest.raises(ConfigError, match="data.path"):
        make_distribution("points", {})


def test_shipped_penguins_config_runs():
    import tomllib

    config_path = REPO / "configs" / "penguins.toml"
    section = tomllib.loads(config_path.read_text())["data"]
    name, params = resolve_data_section(section, config_path.parent)
    cloud = make_distribution(name, params)
    with open(REPO / "data" / "penguins_bill.csv", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["bill_length_mm", "bill_depth_mm"]
    raw = np.array(rows[1:], dtype=float)
    assert raw.shape == (342, 2)
    np.testing.assert_allclose(cloud.points * cloud.scale + cloud.offset, raw)
    np.testing.assert_allclose(cloud.points.std(axis=0), 1.0)


# Each bad file must raise DataError whose message names the file.

def expect_error(path, error=DataError, match=None, **kwargs):
    with pytest.raises(error) as info:
        read_point_file(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    assert "\n" not in message
    if match:
        assert match in message
    return message


def test_missing_file(tmp_path):
    expect_error(tmp_path / "absent.csv", DataFileNotFoundError, "not found")


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    expect_error(tmp_path / "empty.csv", match="is empty")


def test_header_only_csv(tmp_path):
    (tmp_path / "h.csv").write_text("x,y\n")
    expect_error(tmp_path / "h.csv", match="no data rows")


def test_wrong_extension(tmp_path):
    (tmp_path / "p.json").write_text("[[1, 2]]")
    expect_error(tmp_path / "p.json", match="unsupported extension '.json'")


def test_directory_instead_of_file(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    expect_error(tmp_path / "dir.csv", match="not a regular file")


def test_three_dimensional_npy(tmp_path):
    np.save(tmp_path / "cube.npy", np.zeros((4, 2, 2)))
    expect_error(tmp_path / "cube.npy", match="shape (4, 2, 2)")


def test_too_many_columns(tmp_path):
    np.save(tmp_path / "wide.npy", np.zeros((4, 3)))
    expect_error(tmp_path / "wide.npy", match="data.columns")


def test_column_index_out_of_range(tmp_path):
    np.save(tmp_path / "p.npy", POINTS)
    expect_error(tmp_path / "p.npy", match="index 5 is out of range", columns=[0, 5])


def test_non_numeric_csv_value(tmp_path):
    path = write_csv(tmp_path / "p.csv", [[1, 2], [3, "abc"], [5, 6]], header=["x", "y"])
    expect_error(path, match="line 3, column 2: 'abc' is not a number")


def test_ragged_csv_rows(tmp_path):
    (tmp_path / "p.csv").write_text("1,2\n3,4,5\n")
    expect_error(tmp_path / "p.csv", match="line 2: 3 columns")


def test_nan_row_in_csv(tmp_path):
    (tmp_path / "p.csv").write_text("x,y\n1,2\n3,4\nnan,5\n")
    expect_error(tmp_path / "p.csv", match="line 4")


def test_infinite_row_in_npy(tmp_path):
    points = POINTS.copy()
    points[3, 1] = np.inf
    np.save(tmp_path / "p.npy", points)
    expect_error(tmp_path / "p.npy", match="row 3 (0-based)")


def test_string_npy(tmp_path):
    np.save(tmp_path / "s.npy", np.array([["a", "b"]]))
    expect_error(tmp_path / "s.npy", match="expected numbers")


def test_object_npy(tmp_path):
    np.save(tmp_path / "o.npy", np.array([[1, None]], dtype=object), allow_pickle=True)
    expect_error(tmp_path / "o.npy", match="not a readable NumPy .npy array")


def test_corrupt_npy(tmp_path):
    np.save(tmp_path / "p.npy", POINTS)
    data = (tmp_path / "p.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.npy").write_bytes(b"this is not numpy data at all")
    expect_error(tmp_path / "cut.npy", match="not a readable NumPy .npy array")
    expect_error(tmp_path / "junk.npy", match="does not start with the NumPy .npy signature")


def test_corrupt_npz(tmp_path):
    (tmp_path / "p.npz").write_bytes(b"PK\x03\x04 broken archive")
    expect_error(tmp_path / "p.npz", match="not a readable NumPy .npz archive")


def test_npz_with_several_arrays_and_no_key(tmp_path):
    np.savez(tmp_path / "two.npz", first=POINTS, second=POINTS)
    expect_error(tmp_path / "two.npz", match="choose one with data.key")


def test_npz_unknown_key(tmp_path):
    np.savez(tmp_path / "one.npz", points=POINTS)
    expect_error(tmp_path / "one.npz", match="no array 'pts'", key="pts")


def test_npz_without_arrays(tmp_path):
    with zipfile.ZipFile(tmp_path / "none.npz", "w") as archive:
        archive.writestr("readme.txt", "nothing")
    expect_error(tmp_path / "none.npz", match="contains no arrays")


def test_binary_file_named_csv(tmp_path):
    (tmp_path / "p.csv").write_bytes(b"\xff\xfe\x00\x01\x80\x81")
    expect_error(tmp_path / "p.csv", match="not UTF-8 text")


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".npz"])
def test_too_many_points(tmp_path, monkeypatch, suffix):
    monkeypatch.setattr(pointfile, "MAX_POINTS", 10)
    points = np.zeros((12, 2))
    path = tmp_path / f"big{suffix}"
    if suffix == ".csv":
        np.savetxt(path, points, delimiter=",")
    elif suffix == ".npy":
        np.save(path, points)
    else:
        np.savez(path, points=points)
    message = expect_error(path, match="more than the limit of 10 points")
    assert "numpy.random.choice" in message


def test_limit_allows_exactly_max_points(tmp_path, monkeypatch):
    monkeypatch.setattr(pointfile, "MAX_POINTS", 10)
    path = tmp_path / "ok.csv"
    np.savetxt(path, np.zeros((10, 2)), delimiter=",", header="x,y", comments="")
    assert read_point_file(path).shape == (10, 2)


def test_csv_comments_blank_lines_and_quotes(tmp_path):
    (tmp_path / "p.csv").write_text('# exported points\n"x","y"\n"1.5","2"\n\n3,4\n')
    np.testing.assert_array_equal(read_point_file(tmp_path / "p.csv"), [[1.5, 2.0], [3.0, 4.0]])


def test_nan_line_counts_comments_and_blanks(tmp_path):
    (tmp_path / "p.csv").write_text("# note\nx,y\n1,2\n\n3,inf\n")
    expect_error(tmp_path / "p.csv", match="line 5")
