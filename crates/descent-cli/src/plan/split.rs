//! `--validation F`: which rows are held out. For classification the split is stratified —
//! each class keeps its share of rows (rounded, at least one row of each class on the training
//! side); otherwise `F` of all rows. Rows are drawn by a permutation seeded from `--seed`, and
//! each part keeps file order.

use anyhow::anyhow;
use descent::train::Batches;

/// The training and validation rows of `m` rows (each part in file order); `classes` gives
/// each row's class for a stratified split.
pub fn rows(
    m: usize,
    fraction: f64,
    seed: u64,
    classes: Option<&[usize]>,
) -> anyhow::Result<(Vec<usize>, Vec<usize>)> {
    // A stream of its own: no training epoch uses epoch number `usize::MAX`.
    let mut order = Batches::new(m, m.max(1), true, seed)?;
    order.start_epoch(usize::MAX);
    let perm: Vec<usize> = order.iter().next().unwrap_or(&[]).iter().map(|&j| j as usize).collect();
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
        let (train, val) = rows(15, 0.25, 7, Some(&classes)).unwrap();
        let held = |c: usize| val.iter().filter(|&&j| classes[j] == c).count();
        // round(2.5) = 3 of class 0, round(1.0) = 1 of class 1, none of the single class 2.
        assert_eq!((held(0), held(1), held(2)), (3, 1, 0));
        assert_eq!(train.len() + val.len(), 15);
        assert!(train.is_sorted() && val.is_sorted());
        assert!(train.contains(&14), "the lone class-2 row trains");
        // The same seed draws the same rows; another seed others.
        assert_eq!(rows(15, 0.25, 7, Some(&classes)).unwrap().1, val);
        assert_ne!(rows(15, 0.25, 8, Some(&classes)).unwrap().1, val);
        assert!(rows(15, 0.01, 7, Some(&classes)).is_err());
    }

    #[test]
    fn without_classes_a_fraction_of_all_rows_is_held_out() {
        let (train, val) = rows(10, 0.3, 1, None).unwrap();
        assert_eq!((train.len(), val.len()), (7, 3));
        assert!(rows(10, 0.01, 1, None).is_err());
        assert!(rows(10, 1.0, 1, None).is_err());
    }
}
