//! The choices a caller makes about a table's columns: `ColumnOptions`, `Impute`, `Unknown`.

/// How the missing cells of a numeric column are filled (the command line's `--impute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Impute {
    /// Missing cells in a numeric column are an error (the default).
    #[default]
    None,
    /// The mean of the column's training values.
    Mean,
    /// The median of the column's training values, as `numpy.median` computes it (the mean
    /// of the two middle values for an even count).
    Median,
    /// The most frequent training value, the smallest of them on a tie (as scikit-learn's
    /// `SimpleImputer(strategy="most_frequent")`).
    MostFrequent,
}

impl Impute {
    /// The name as the command line spells it: `none`, `mean`, `median`, `most-frequent`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Impute::None => "none",
            Impute::Mean => "mean",
            Impute::Median => "median",
            Impute::MostFrequent => "most-frequent",
        }
    }

    /// The statistic named as [`Impute::name`] spells it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Impute::None, Impute::Mean, Impute::Median, Impute::MostFrequent]
            .into_iter()
            .find(|i| i.name() == name)
    }
}

/// What encoding a row does with a category its column did not have in the training rows
/// (the command line's `--unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unknown {
    /// An error naming the column, the value and the line (the default).
    #[default]
    Error,
    /// All of that column's one-hot inputs are 0.
    Ignore,
}

/// Which column is the target and how the others become inputs; see
/// [`TableEncoding::fit`](super::TableEncoding::fit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOptions {
    /// The target column (`--target`); `None`: the last column.
    pub target: Option<String>,
    /// Columns one-hot encoded even when every cell is a number (`--categorical`).
    pub categorical: Vec<String>,
    /// Columns left out (`--ignore`).
    pub ignore: Vec<String>,
    /// How missing cells of numeric columns are filled (`--impute`).
    pub impute: Impute,
    /// The most distinct values a categorical column may have (`--max-categories`, 1000).
    pub max_categories: usize,
    /// The most classes a classification target may have (`--max-classes`, 100).
    pub max_classes: usize,
    /// The caller asked for a linear output (`--output linear`): the target is a number.
    pub regression: bool,
    /// The caller insisted on classes (`--output softmax`): `max_classes` is not enforced.
    pub force_classes: bool,
}

impl Default for ColumnOptions {
    fn default() -> Self {
        Self {
            target: None,
            categorical: Vec::new(),
            ignore: Vec::new(),
            impute: Impute::None,
            max_categories: 1000,
            max_classes: 100,
            regression: false,
            force_classes: false,
        }
    }
}
