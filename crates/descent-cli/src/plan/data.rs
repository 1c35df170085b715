//! Data for every subcommand: `--data` as a file or a built-in set, the validation split, the
//! labels' checks, and the inputs z-scored with `FeatureStats`.

use std::path::Path;

use anyhow::{Context, anyhow};
use descent::train::{DataSource, Dataset, FeatureStats, Output, datasets};
use descent_io::Header;

use crate::args::DataArgs;
use crate::run::Holdout;

/// The built-in data sets `--data` accepts by name.
pub const BUILT_IN: [&str; 3] = ["moons", "circles", "spirals"];

/// Where the labels of a data set came from, to name it in messages.
#[derive(Debug, Clone)]
pub struct Source {
    /// What `--data` said.
    pub data: String,
    /// The file holding the labels (the CSV itself or `--labels`), `None` for built-in data.
    pub labels_file: Option<String>,
    /// `true` when the labels come from a CSV file, whose line `j + 2` holds example `j`.
    pub csv: bool,
}

impl Source {
    /// Where example `j`'s label is, e.g. `data.csv, line 7` or `y.npy, element 5`.
    pub fn label_place(&self, j: usize) -> String {
        match (&self.labels_file, self.csv) {
            (Some(file), true) => format!("{file}, line {}", j + 2),
            (Some(file), false) => format!("{file}, label {j}"),
            (None, _) => format!("--data {}, example {j}", self.data),
        }
    }
}

/// Whether the CSV `--data` has a header row (`--no-header`).
pub fn header(args: &DataArgs) -> Header {
    if args.no_header { Header::Absent } else { Header::FirstRow }
}

/// `--no-header` goes only with a CSV file.
pub fn check_no_header(args: &DataArgs) -> anyhow::Result<()> {
    let path = Path::new(&args.data);
    let kind = if is_built_in(&args.data) {
        "a built-in data set"
    } else if descent_io::is_npy(path) {
        "a .npy file"
    } else if descent_io::table::is_parquet(path) {
        "a Parquet file, whose columns are always named"
    } else {
        return Ok(());
    };
    if args.no_header {
        return Err(anyhow!("--no-header: only for a CSV file; --data {} is {kind}", args.data));
    }
    Ok(())
}

/// `true` when `--data` names a built-in data set rather than a file.
pub fn is_built_in(data: &str) -> bool {
    BUILT_IN.contains(&data) && !Path::new(data).exists()
}

/// Loads the examples and their labels as `--data`, `--labels` and `--target` describe.
pub fn load(args: &DataArgs) -> anyhow::Result<(Dataset<f64>, Source)> {
    if is_built_in(&args.data) {
        if args.labels.is_some() || args.target.is_some() {
            return Err(anyhow!(
                "--data {}: a built-in data set has its own labels; --labels and --target go with files",
                args.data
            ));
        }
        let config =
            datasets::SyntheticConfig { n_examples: args.examples, noise: args.noise, seed: 3 };
        let data = datasets::by_name(&args.data, config)
            .with_context(|| format!("--data {}", args.data))?;
        let source = Source { data: args.data.clone(), labels_file: None, csv: false };
        return Ok((data, source));
    }
    let path = check_exists(&args.data)?;
    let data = descent_io::load_dataset(path, args.labels.as_deref(), args.target.as_deref())
        .context("--data")?;
    let csv = !descent_io::is_npy(path);
    let labels_file = if csv {
        args.data.clone()
    } else {
        args.labels.as_ref().map_or_else(String::new, |l| l.display().to_string())
    };
    let source = Source { data: args.data.clone(), labels_file: Some(labels_file), csv };
    Ok((data, source))
}

/// Loads only the features (for `predict`): a CSV file's label column, when the file has one
/// more column than the model's `n_inputs` or `--target` names it, is dropped.
pub fn load_features(args: &DataArgs, n_inputs: usize) -> anyhow::Result<(usize, Vec<f64>)> {
    if is_built_in(&args.data) {
        let (data, _) = load(args)?;
        return Ok((data.n_features(), data.features().to_vec()));
    }
    let path = check_exists(&args.data)?;
    if descent_io::is_npy(path) {
        let (_, n_features, x) = descent_io::load_npy_features(path).context("--data")?;
        return Ok((n_features, x));
    }
    let all = descent_io::load_csv_features_with(path, header(args)).context("--data")?;
    if args.target.is_none() && all.n_features() == n_inputs {
        return Ok((all.n_features(), all.features().to_vec()));
    }
    let table =
        descent_io::load_csv_with(path, args.target.as_deref(), header(args)).context("--data")?;
    Ok((table.n_features(), table.features().to_vec()))
}

fn check_exists(data: &str) -> anyhow::Result<&Path> {
    let path = Path::new(data);
    if path.is_file() {
        return Ok(path);
    }
    if path.exists() {
        return Err(anyhow!("--data {data}: not a file"));
    }
    Err(anyhow!(
        "--data {data}: no such file, and not a built-in data set ({})",
        BUILT_IN.join(", ")
    ))
}

/// The output layer the labels call for, or the one `--output` asks for after checking that
/// the labels fit it. The labels are read through `data` one example at a time (from a
/// memory-mapped file they are not copied).
pub fn choose_output(
    requested: Option<Output>,
    data: &(impl DataSource<f64> + ?Sized),
    source: &Source,
) -> anyhow::Result<Output> {
    let n_classes = data.n_classes();
    match (requested, n_classes) {
        (Some(Output::Linear), _) => Ok(Output::Linear),
        (Some(Output::Sigmoid) | None, Some(2)) => Ok(Output::Sigmoid),
        (Some(Output::Softmax) | None, Some(_)) => Ok(Output::Softmax),
        (Some(Output::Sigmoid), Some(k)) => Err(anyhow!(
            "--output sigmoid: the labels of --data {} are {k} classes, not 0/1; \
             use --output softmax",
            source.data
        )),
        (_, None) => Err(not_classes(data, source)),
    }
}

/// The first example with a target value that `ok` refuses, and that value.
fn first_bad_target(
    data: &(impl DataSource<f64> + ?Sized),
    ok: impl Fn(f64) -> bool,
) -> Option<(usize, f64)> {
    let mut target = vec![0.0; data.n_targets()];
    (0..data.n_examples()).find_map(|j| {
        data.read_target(j, &mut target);
        target.iter().find(|&&t| !ok(t)).map(|&t| (j, t))
    })
}

/// Explains why the labels are not classes 0..K-1, naming the first label at fault.
fn not_classes(data: &(impl DataSource<f64> + ?Sized), source: &Source) -> anyhow::Error {
    if data.n_targets() != 1 {
        return anyhow!(
            "--data {}: {} targets per example are not class labels; use --output linear for \
             regression",
            source.data,
            data.n_targets()
        );
    }
    match first_bad_target(data, |t| t >= 0.0 && t.fract() == 0.0 && t <= 1e6) {
        Some((j, t)) => anyhow!(
            "{}: the label {t} is not a class 0, 1, …, K-1; use --output linear for regression",
            source.label_place(j),
        ),
        None => anyhow!(
            "--data {}: every label is 0, a classifier needs at least two classes; \
             use --output linear for regression",
            source.data
        ),
    }
}

/// Checks that every label is one the model's output can be scored against (one pass over the
/// labels through `data`).
pub fn check_labels(
    data: &(impl DataSource<f64> + ?Sized),
    source: &Source,
    output: Output,
    n_out: usize,
) -> anyhow::Result<()> {
    let n_classes = match output {
        Output::Linear => {
            if data.n_targets() != n_out {
                return Err(anyhow!(
                    "--data {}: {} target(s) per example but the model has {n_out} outputs",
                    source.data,
                    data.n_targets()
                ));
            }
            return Ok(());
        }
        Output::Sigmoid => 2,
        Output::Softmax => n_out,
    };
    let is_class = |t: f64| t >= 0.0 && t.fract() == 0.0 && t < n_classes as f64;
    match first_bad_target(data, is_class) {
        Some((j, t)) => Err(anyhow!(
            "{}: the label {t} is not one of the model's classes 0..{}",
            source.label_place(j),
            n_classes - 1
        )),
        None => Ok(()),
    }
}

/// Holds out `fraction` of the examples ([`super::split::rows`]: stratified by class when
/// the labels are classes): returns (training, validation).
pub fn split(
    data: &Dataset<f64>,
    holdout: Holdout,
    seed: u64,
    output: Output,
) -> anyhow::Result<(Dataset<f64>, Dataset<f64>)> {
    let classes: Option<Vec<usize>> = (output != Output::Linear && data.n_targets() == 1)
        .then(|| data.targets().iter().map(|&t| t.max(0.0) as usize).collect());
    let (train, val) = super::split::rows(data.n_examples(), holdout, seed, classes.as_deref())?;
    Ok((subset(data, &train)?, subset(data, &val)?))
}

fn subset(data: &Dataset<f64>, idx: &[usize]) -> anyhow::Result<Dataset<f64>> {
    let x = idx.iter().flat_map(|&j| data.example(j).iter().copied()).collect();
    let y = idx.iter().flat_map(|&j| data.target(j).iter().copied()).collect();
    Ok(Dataset::new(data.n_features(), x, data.n_targets(), y)?)
}

/// The data set with its inputs z-scored.
pub fn standardize(data: &Dataset<f64>, s: &FeatureStats) -> anyhow::Result<Dataset<f64>> {
    let mut x = data.features().to_vec();
    for example in x.chunks_mut(data.n_features().max(1)) {
        s.apply(example);
    }
    Ok(Dataset::new(data.n_features(), x, data.n_targets(), data.targets().to_vec())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(x: Vec<f64>, nf: usize, y: Vec<f64>) -> Dataset<f64> {
        Dataset::new(nf, x, 1, y).unwrap()
    }

    #[test]
    fn standardization_is_numpy_mean_and_std_and_centres_a_constant_column() {
        // numpy: x = [[1, 5], [2, 5], [3, 5], [6, 5]]; x.mean(0) = [3, 5]; x.std(0) = [√3.5, 0].
        let d = data(vec![1., 5., 2., 5., 3., 5., 6., 5.], 2, vec![0., 1., 0., 1.]);
        let s = FeatureStats::scan::<f64>(&d).unwrap();
        assert_eq!(s.mean, [3.0, 5.0]);
        assert!((s.std[0] - 3.5_f64.sqrt()).abs() < 1e-15);
        assert_eq!(s.std[1], 0.0);
        let z = standardize(&d, &s).unwrap();
        assert!((z.example(0)[0] + 2.0 / 3.5_f64.sqrt()).abs() < 1e-15);
        assert_eq!(z.example(3)[1], 0.0);
    }

    #[test]
    fn a_constant_non_integer_column_is_only_centred() {
        let d = data(vec![0.1, 0.1, 0.1], 1, vec![0., 1., 0.]);
        assert_eq!(FeatureStats::scan::<f64>(&d).unwrap().std, [0.0]);
    }

    #[test]
    fn split_keeps_every_example_once_in_file_order() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let d = data(x, 1, vec![0.; 10]);
        let (train, val) = split(&d, Holdout::Fraction(0.3), 1, Output::Linear).unwrap();
        assert_eq!((train.n_examples(), val.n_examples()), (7, 3));
        let mut all: Vec<f64> = train.features().iter().chain(val.features()).copied().collect();
        assert!(train.features().is_sorted() && val.features().is_sorted());
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..10).map(f64::from).collect::<Vec<_>>());
        assert!(split(&d, Holdout::Fraction(0.01), 1, Output::Linear).is_err());
        assert!(split(&d, Holdout::Fraction(1.0), 1, Output::Linear).is_err());
    }

    #[test]
    fn labels_that_are_not_classes_name_the_csv_line() {
        let d = data(vec![1., 2., 3.], 1, vec![0., 1.5, 1.]);
        let source = Source { data: "d.csv".into(), labels_file: Some("d.csv".into()), csv: true };
        let err = choose_output(None, &d, &source).unwrap_err().to_string();
        assert!(err.contains("d.csv, line 3") && err.contains("1.5"), "{err}");
        assert_eq!(choose_output(Some(Output::Linear), &d, &source).unwrap(), Output::Linear);
    }
}
