//! Which rows are held out: `--validation F`, or one fold of `descent cv --folds K`. For
//! classification both are stratified — with `--validation` each class keeps its share of
//! rows (rounded, at least one row of each class on the training side), with folds each
//! class's rows are dealt to the K folds in turn; otherwise `F` of all rows, or every K-th
//! row. Rows are drawn by a permutation seeded from `--seed`, and each part keeps file order.

use anyhow::anyhow;
use descent::train::Batches;

pub use crate::run::Holdout;

/// The training and validation rows of `m` rows (each part in file order); `classes` gives
/// each row's class for a stratified split.
pub fn rows(
    m: usize,
    holdout: Holdout,
    seed: u64,
    classes: Option<&[usize]>,
) -> anyhow::Result<(Vec<usize>, Vec<usize>)> {
    // A stream of its own: no training epoch uses epoch number `usize::MAX`.
    let mut order = Batches::new(m, m.max(1), true, seed)?;
    order.start_epoch(usize::MAX);
    let perm: Vec<usize> = order.iter().next().unwrap_or(&[]).iter().map(|&j| j as usize).collect();
    let fraction = match holdout {
        Holdout::Fraction(f) => f,
        Holdout::Fold { folds, fold } => {
            let (mut val, mut train) = fold_rows(&perm, classes, folds, fold)?;
            val.sort_unstable();
            train.sort_unstable();
            return Ok((train, val));
        }
    };
    let (mut val, mut train) = match classes {
        None => {
            let n_val = (fraction * m as f64).round() as usize;
            if n_val == 0 || n_val >= m {
                return Err(anyhow!(
                    "--validation {fraction}: holds out {n_val} of {m} examples; \
                     both parts need at least one"
                ));
            }
            (perm[..n_val].to_vec(), perm[n_val..].to_vec())
        }
        Some(classes) => stratified(&perm, classes, fraction)?,
    };
    val.sort_unstable();
    train.sort_unstable();
    Ok((train, val))
}

/// Fold `fold` of `folds`: the rows of `perm` (class by class when `classes` are given, each
/// class's rows in `perm` order) are dealt to the folds in turn, so that every fold holds
/// ⌊m/K⌋ or ⌈m/K⌉ rows and each class's rows are spread as evenly. Returns (validation,
/// training).
fn fold_rows(
    perm: &[usize],
    classes: Option<&[usize]>,
    folds: usize,
    fold: usize,
) -> anyhow::Result<(Vec<usize>, Vec<usize>)> {
    let m = perm.len();
    if folds < 2 || folds > m {
        return Err(anyhow!(
            "--folds {folds}: needs at least 2 folds and at most one per example ({m} examples)"
        ));
    }
    let dealt: Vec<usize> = match classes {
        None => perm.to_vec(),
        Some(classes) => {
            let k = classes.iter().max().map_or(0, |&c| c + 1);
            let mut count = vec![0_usize; k];
            for &c in classes {
                count[c] += 1;
            }
            if let Some(c) = count.iter().position(|&n| n == 1) {
                let j = (0..m).find(|&j| classes[j] == c).unwrap_or(0);
                return Err(anyhow!(
                    "--folds {folds}: a class has a single example (row {}, counting from 0, of                      the data); each class needs at least two, so that every fold's training                      rows hold it",
                    j
                ));
            }
            let mut dealt = Vec::with_capacity(m);
            for c in 0..k {
                dealt.extend(perm.iter().copied().filter(|&j| classes[j] == c));
            }
            dealt
        }
    };
    let (mut val, mut train) = (Vec::new(), Vec::new());
    for (t, &j) in dealt.iter().enumerate() {
        if t % folds == fold { val.push(j) } else { train.push(j) }
    }
    Ok((val, train))
}

/// Within each class, the first rows of `perm` are held out: `fraction` of the class's rows,
/// rounded, leaving at least one for training. Returns (validation, training).
fn stratified(
    perm: &[usize],
    classes: &[usize],
    fraction: f64,
) -> anyhow::Result<(Vec<usize>, Vec<usize>)> {
    let k = classes.iter().max().map_or(0, |&c| c + 1);
    let mut count = vec![0_usize; k];
    for &c in classes {
        count[c] += 1;
    }
    let mut quota: Vec<usize> = count
        .iter()
        .map(|&n| ((fraction * n as f64).round() as usize).min(n.saturating_sub(1)))
        .collect();
    let (mut val, mut train) = (Vec::new(), Vec::new());
    for &j in perm {
        let c = classes[j];
        if quota[c] > 0 {
            quota[c] -= 1;
            val.push(j);
        } else {
            train.push(j);
        }
    }
    if val.is_empty() {
        return Err(anyhow!(
            "--validation {fraction}: holds out no example of any class ({} examples); \
             give a larger fraction",
            perm.len()
        ));
    }
    Ok((val, train))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_class_keeps_its_share_and_one_training_row() {
        // 10 rows of class 0, 4 of class 1, 1 of class 2.
        let classes: Vec<usize> = (0..15)
            .map(|j| {
                if j < 10 {
                    0
                } else if j < 14 {
                    1
                } else {
                    2
                }
            })
            .collect();
        let (train, val) = rows(15, Holdout::Fraction(0.25), 7, Some(&classes)).unwrap();
        let held = |c: usize| val.iter().filter(|&&j| classes[j] == c).count();
        // round(2.5) = 3 of class 0, round(1.0) = 1 of class 1, none of the single class 2.
        assert_eq!((held(0), held(1), held(2)), (3, 1, 0));
        assert_eq!(train.len() + val.len(), 15);
        assert!(train.is_sorted() && val.is_sorted());
        assert!(train.contains(&14), "the lone class-2 row trains");
        // The same seed draws the same rows; another seed others.
        assert_eq!(rows(15, Holdout::Fraction(0.25), 7, Some(&classes)).unwrap().1, val);
        assert_ne!(rows(15, Holdout::Fraction(0.25), 8, Some(&classes)).unwrap().1, val);
        assert!(rows(15, Holdout::Fraction(0.01), 7, Some(&classes)).is_err());
    }

    #[test]
    fn without_classes_a_fraction_of_all_rows_is_held_out() {
        let (train, val) = rows(10, Holdout::Fraction(0.3), 1, None).unwrap();
        assert_eq!((train.len(), val.len()), (7, 3));
        assert!(rows(10, Holdout::Fraction(0.01), 1, None).is_err());
        assert!(rows(10, Holdout::Fraction(1.0), 1, None).is_err());
    }

    /// The held-out rows of every fold of `folds`.
    fn all_folds(m: usize, folds: usize, classes: Option<&[usize]>) -> Vec<Vec<usize>> {
        (0..folds)
            .map(|fold| {
                let (train, val) = rows(m, Holdout::Fold { folds, fold }, 3, classes).unwrap();
                assert_eq!(train.len() + val.len(), m);
                assert!(train.is_sorted() && val.is_sorted());
                assert!(val.iter().all(|j| !train.contains(j)));
                val
            })
            .collect()
    }

    #[test]
    fn folds_partition_the_rows_evenly() {
        let held = all_folds(11, 3, None);
        let mut every: Vec<usize> = held.concat();
        every.sort_unstable();
        assert_eq!(every, (0..11).collect::<Vec<_>>(), "each row is held out exactly once");
        let sizes: Vec<usize> = held.iter().map(Vec::len).collect();
        assert_eq!(sizes, [4, 4, 3]);
        assert!(rows(11, Holdout::Fold { folds: 1, fold: 0 }, 3, None).is_err());
        assert!(rows(3, Holdout::Fold { folds: 4, fold: 0 }, 3, None).is_err());
    }

    #[test]
    fn stratified_folds_spread_each_class() {
        // 9 rows of class 0, 6 of class 1: 3 folds hold 3 + 2 each.
        let classes: Vec<usize> = (0..15).map(|j| usize::from(j % 5 < 2)).collect();
        let held = all_folds(15, 3, Some(&classes));
        for val in &held {
            let ones = val.iter().filter(|&&j| classes[j] == 1).count();
            assert_eq!((val.len() - ones, ones), (3, 2));
        }
        let mut every: Vec<usize> = held.concat();
        every.sort_unstable();
        assert_eq!(every, (0..15).collect::<Vec<_>>());
        // A class of one example cannot train in the fold that holds it.
        let mut lone = classes.clone();
        lone[4] = 2;
        let err = rows(15, Holdout::Fold { folds: 3, fold: 0 }, 3, Some(&lone)).unwrap_err();
        assert!(err.to_string().contains("row 4"), "{err}");
    }
}
