//! Data sets from files: a CSV with a label column, or `.npy` features with `.npy` labels.

use std::path::Path;

use descent_train::Dataset;

use crate::csv::load_csv;
use crate::error::{IoError, Result};
use crate::npy::{load_npy_features, load_npy_labels};

/// Reads a data set from a CSV file (see [`load_csv`]): the label column becomes the single
/// target of each example.
///
/// # Errors
/// What [`load_csv`] returns.
pub fn load_csv_dataset(path: impl AsRef<Path>, target: Option<&str>) -> Result<Dataset<f64>> {
    let path = path.as_ref();
    let table = load_csv(path, target)?;
    let n_features = table.n_features();
    let (features, labels) = table.into_parts();
    Dataset::new(n_features, features, 1, labels)
        .map_err(|error| IoError::Invalid { path: path.to_path_buf(), error })
}

/// Reads a data set from a `.npy` file of features (see [`load_npy_features`]) and a `.npy`
/// file of labels (see [`load_npy_labels`]).
///
/// # Errors
/// What the two readers return, and [`IoError::CountMismatch`], naming both files, when they
/// hold different numbers of examples.
pub fn load_npy_dataset(
    features: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<Dataset<f64>> {
    let (features, labels) = (features.as_ref(), labels.as_ref());
    let (n_examples, n_features, x) = load_npy_features(features)?;
    let y = load_npy_labels(labels)?;
    if y.len() != n_examples {
        return Err(IoError::CountMismatch {
            features: features.to_path_buf(),
            n_features: n_examples,
            labels: labels.to_path_buf(),
            n_labels: y.len(),
        });
    }
    Dataset::new(n_features, x, 1, y)
        .map_err(|error| IoError::Invalid { path: features.to_path_buf(), error })
}

/// Reads a data set the way the command line's `--data`, `--labels` and `--target` describe
/// it: a path ending in `.npy` (any case) is a features array that needs `labels`; any other
/// path is a CSV file whose label column is the last one or `target`.
///
/// # Errors
/// [`IoError::Unsupported`] for a `.npy` file without `labels`, a CSV file with `labels`, or
/// a `.npy` file with `target`; otherwise what [`load_npy_dataset`] or [`load_csv_dataset`]
/// return.
pub fn load_dataset(
    data: impl AsRef<Path>,
    labels: Option<&Path>,
    target: Option<&str>,
) -> Result<Dataset<f64>> {
    let data = data.as_ref();
    let unsupported = |reason: &str| {
        Err(IoError::Unsupported { path: data.to_path_buf(), reason: reason.into() })
    };
    if is_npy(data) {
        if target.is_some() {
            return unsupported(
                "a target column names a column of a CSV file; a .npy file has no column names",
            );
        }
        match labels {
            Some(labels) => load_npy_dataset(data, labels),
            None => unsupported(
                "a .npy features file needs a labels file: a .npy array of shape (examples,)",
            ),
        }
    } else {
        if labels.is_some() {
            return unsupported(
                "a CSV file holds its labels in a column (the last one, or the named target); \
                 a separate labels file goes with .npy features",
            );
        }
        load_csv_dataset(data, target)
    }
}

/// `true` for a path ending in `.npy`, in any case.
#[must_use]
pub fn is_npy(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npy::tests::npy_bytes;
    use crate::test_util::TempFile;

    #[test]
    fn csv_data_set_has_one_target_per_example() {
        let file = TempFile::with_bytes("csv", b"a,b,y\n1,2,0\n3,4,1\n5,6,1\n");
        let data = load_dataset(file.path(), None, None).unwrap();
        assert_eq!((data.n_examples(), data.n_features(), data.n_targets()), (3, 2, 1));
        assert_eq!(data.example(1), [3.0, 4.0]);
        assert_eq!(data.targets(), [0.0, 1.0, 1.0]);
        assert_eq!(data.n_classes(), Some(2));
    }

    #[test]
    fn npy_data_set_pairs_features_and_labels() {
        let x = TempFile::with_bytes(
            "npy",
            &npy_bytes("<f4", "(2, 3)", &f32s(&[1., 2., 3., 4., 5., 6.])),
        );
        let y = TempFile::with_bytes("npy", &npy_bytes("<i8", "(2,)", &i64s(&[2, 0])));
        let data = load_dataset(x.path(), Some(y.path()), None).unwrap();
        assert_eq!((data.n_examples(), data.n_features()), (2, 3));
        assert_eq!(data.example(1), [4.0, 5.0, 6.0]);
        assert_eq!(data.targets(), [2.0, 0.0]);
    }

    #[test]
    fn mismatched_counts_name_both_files() {
        let x = TempFile::with_bytes("npy", &npy_bytes("<f8", "(2, 1)", &f64s(&[1., 2.])));
        let y = TempFile::with_bytes("npy", &npy_bytes("|u1", "(3,)", &[0, 1, 1]));
        let err = load_npy_dataset(x.path(), y.path()).unwrap_err();
        assert!(matches!(err, IoError::CountMismatch { n_features: 2, n_labels: 3, .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&x.path().display().to_string()), "{msg}");
        assert!(msg.contains(&y.path().display().to_string()), "{msg}");
    }

    #[test]
    fn wrong_combinations_are_unsupported() {
        let x = TempFile::with_bytes("NPY", &npy_bytes("<f8", "(1, 1)", &f64s(&[1.])));
        let err = load_dataset(x.path(), None, None).unwrap_err();
        assert!(matches!(err, IoError::Unsupported { .. }), "{err}");
        let err = load_dataset(x.path(), Some(x.path()), Some("y")).unwrap_err();
        assert!(matches!(err, IoError::Unsupported { .. }), "{err}");
        let csv = TempFile::with_bytes("csv", b"a,y\n1,0\n");
        let err = load_dataset(csv.path(), Some(x.path()), None).unwrap_err();
        assert!(matches!(err, IoError::Unsupported { .. }), "{err}");
    }

    fn f32s(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn f64s(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn i64s(v: &[i64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }
}
