//! The reference answers every backend must reproduce before its timings mean anything.
//!
//! Three checks, in the spirit of rebar's expected counts:
//! - every benchmarked GEMM, on every backend, against dot products summed in compensated f64
//!   at sampled entries, within the classic bound `k·ε·Σ|a_il·b_lj|`;
//! - every benchmarked training step, run a few times on every backend, against ndarray's
//!   costs (relative `1e-9` in f64, `1e-3` in f32);
//! - the course's experiment (`[2, 5, 2, 1]`, Adam, learning rate 0.0007, mini-batches of 64 of
//!   the 300 moons examples, [`REFERENCE_EPOCHS`] epochs) against the cost and accuracy
//!   recorded in [`REFERENCE_COST`] and [`REFERENCE_ACCURACY`].

use descent_core::{Backend, Result, Scalar, Trans};
use descent_faer::Faer;
use descent_nalgebra::Nalgebra;
use descent_ndarray::Ndarray;
use descent_train::optim::{AdamConfig, OptimizerConfig};
use descent_train::schedule::ScheduleConfig;
use descent_train::{Mlp, MlpConfig, Silent, TrainConfig, Trainer, datasets, evaluate};

use crate::gemm::{self, GemmCase, GemmInputs};
use crate::step::{self, LR, Step, StepCase};

/// Epochs of the course's experiment in the training check (5 mini-batches each).
pub const REFERENCE_EPOCHS: usize = 300;
/// The number of moons examples of the course's experiment (the built-in default).
pub const REFERENCE_EXAMPLES: usize = 300;
/// The mean cost on the 300 moons examples after [`REFERENCE_EPOCHS`] epochs, in f64.
///
/// Recorded with `check-backends` on the three backends (bit-identical in f64; f32 lands
/// within `6e-7` of it). It changes only when the data, the initialization, the network's
/// math, Adam or the batching change: then check why, and record the new value.
pub const REFERENCE_COST: f64 = 0.352_448_137_031_494_97;
/// The accuracy on the 300 moons examples after [`REFERENCE_EPOCHS`] epochs (264 of 300).
pub const REFERENCE_ACCURACY: f64 = 0.88;

/// Training steps run per backend in the step check.
pub const STEP_CHECK_STEPS: usize = 5;

/// The result of one check on one backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// What was checked, e.g. `gemm f32 5x2.2x64`.
    pub what: String,
    /// The backend's name.
    pub backend: &'static str,
    /// The measured error, in the unit of `limit`.
    pub error: f64,
    /// The largest error accepted.
    pub limit: f64,
    /// The values compared, when they say more than the error (e.g. the final cost).
    pub detail: String,
}

impl Outcome {
    /// Whether the error is within the limit (a NaN error fails).
    #[must_use]
    pub fn passed(&self) -> bool {
        self.error <= self.limit
    }
}

/// Runs every check on every backend.
///
/// # Errors
/// When a backend reports an error while computing (a failed comparison is an [`Outcome`]
/// that did not pass, not an error).
pub fn run_all() -> Result<Vec<Outcome>> {
    let mut res = Vec::new();
    for case in gemm::COURSE.iter().chain(&gemm::WIDE) {
        gemm_all::<f32>(case, &mut res)?;
    }
    gemm_all::<f64>(&gemm::WIDE[0], &mut res)?;
    step_all::<f32>(&step::COURSE, 1e-3, &mut res)?;
    step_all::<f64>(&step::COURSE, 1e-9, &mut res)?;
    step_all::<f32>(&step::WIDE, 1e-3, &mut res)?;
    training_all(&mut res)?;
    Ok(res)
}

fn gemm_all<T: Scalar>(case: &GemmCase, res: &mut Vec<Outcome>) -> Result<()>
where
    Ndarray: Backend<T>,
    Nalgebra: Backend<T>,
    Faer: Backend<T>,
{
    let what = format!("gemm {} {}", T::DTYPE, case.id());
    for (backend, error) in [
        (<Ndarray as Backend<T>>::NAME, gemm_error::<T, Ndarray>(case)?),
        (<Nalgebra as Backend<T>>::NAME, gemm_error::<T, Nalgebra>(case)?),
        (<Faer as Backend<T>>::NAME, gemm_error::<T, Faer>(case)?),
    ] {
        res.push(Outcome { what: what.clone(), backend, error, limit: 1.0, detail: String::new() });
    }
    Ok(())
}

/// The largest error of the backend's product at the sampled entries, in units of
/// `k·ε·Σ_l |a_il·b_lj|` (a correct GEMM stays below 1).
///
/// Every entry is checked for results of at most 4096 entries, otherwise 512 seeded ones and
/// the four corners.
///
/// # Errors
/// What the backend's GEMM reports.
pub fn gemm_error<T: Scalar, B: Backend<T>>(case: &GemmCase) -> Result<f64> {
    let mut inputs = GemmInputs::<T, B>::new(case, 1);
    inputs.run()?;
    let (m, n, k) = (case.m, case.n, case.k);
    let a_at = |i: usize, l: usize| match case.ta {
        Trans::No => B::col(&inputs.a, l)[i],
        Trans::Yes => B::col(&inputs.a, i)[l],
    };
    let b_at = |l: usize, j: usize| match case.tb {
        Trans::No => B::col(&inputs.b, j)[l],
        Trans::Yes => B::col(&inputs.b, l)[j],
    };
    let entries: Vec<(usize, usize)> = if m * n <= 4096 {
        (0..n).flat_map(|j| (0..m).map(move |i| (i, j))).collect()
    } else {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |bound: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % bound as u64) as usize
        };
        let corners = [(0, 0), (m - 1, 0), (0, n - 1), (m - 1, n - 1)];
        corners.into_iter().chain((0..512).map(|_| (next(m), next(n)))).collect()
    };
    let mut worst = 0.0_f64;
    for (i, j) in entries {
        let (mut sum, mut comp, mut abs) = (0.0_f64, 0.0_f64, 0.0_f64);
        for l in 0..k {
            let (x, y) = (a_at(i, l).to_f64(), b_at(l, j).to_f64());
            let p = x * y;
            comp += x.mul_add(y, -p);
            let t = sum + p;
            comp += if sum.abs() >= p.abs() { (sum - t) + p } else { (p - t) + sum };
            sum = t;
            abs += p.abs();
        }
        let reference = sum + comp;
        let got = B::col(&inputs.out, j)[i].to_f64();
        let bound = k as f64 * T::EPSILON.to_f64() * abs;
        let error =
            if bound > 0.0 { (got - reference).abs() / bound } else { (got - reference).abs() };
        worst = if error.is_nan() { f64::NAN } else { worst.max(error) };
    }
    Ok(worst)
}

fn step_all<T: Scalar>(case: &StepCase, limit: f64, res: &mut Vec<Outcome>) -> Result<()>
where
    Ndarray: Backend<T>,
    Nalgebra: Backend<T>,
    Faer: Backend<T>,
{
    let what = format!("train_step {} {} x{STEP_CHECK_STEPS}", T::DTYPE, case.name);
    let reference = step_costs::<T, Ndarray>(case)?;
    for (backend, costs) in [
        (<Ndarray as Backend<T>>::NAME, reference.clone()),
        (<Nalgebra as Backend<T>>::NAME, step_costs::<T, Nalgebra>(case)?),
        (<Faer as Backend<T>>::NAME, step_costs::<T, Faer>(case)?),
    ] {
        let error = max_rel_diff(&reference, &costs);
        let detail = format!("last cost {:.6}", costs[costs.len() - 1]);
        res.push(Outcome { what: what.clone(), backend, error, limit, detail });
    }
    Ok(())
}

/// The costs of [`STEP_CHECK_STEPS`] consecutive steps of `case`, then of one more forward
/// pass (so the last update is checked too).
///
/// # Errors
/// What the network, the optimizer or the backend report.
pub fn step_costs<T: Scalar, B: Backend<T>>(case: &StepCase) -> Result<Vec<f64>> {
    let mut step = Step::<T, B>::new(case)?;
    (0..=STEP_CHECK_STEPS).map(|_| step.run().map(Scalar::to_f64)).collect()
}

fn training_all(res: &mut Vec<Outcome>) -> Result<()> {
    // f32 may round one borderline example to the other class on another CPU: allow one.
    for (backend, dtype, [cost, accuracy], cost_limit, flips_limit) in [
        ("ndarray", "f64", course_training::<f64, Ndarray>()?, 1e-9, 0.0),
        ("nalgebra", "f64", course_training::<f64, Nalgebra>()?, 1e-9, 0.0),
        ("faer", "f64", course_training::<f64, Faer>()?, 1e-9, 0.0),
        ("ndarray", "f32", course_training::<f32, Ndarray>()?, 1e-4, 1.0),
        ("nalgebra", "f32", course_training::<f32, Nalgebra>()?, 1e-4, 1.0),
        ("faer", "f32", course_training::<f32, Faer>()?, 1e-4, 1.0),
    ] {
        let what = format!("course Adam {REFERENCE_EPOCHS} epochs {dtype}: relative cost error");
        let error = max_rel_diff(&[REFERENCE_COST], &[cost]);
        res.push(Outcome {
            what,
            backend,
            error,
            limit: cost_limit,
            detail: format!("cost {cost:.17}"),
        });
        let what =
            format!("course Adam {REFERENCE_EPOCHS} epochs {dtype}: examples classified otherwise");
        let error = ((accuracy - REFERENCE_ACCURACY) * REFERENCE_EXAMPLES as f64).abs().round();
        let error = if accuracy.is_nan() { f64::NAN } else { error };
        res.push(Outcome {
            what,
            backend,
            error,
            limit: flips_limit,
            detail: format!("accuracy {accuracy}"),
        });
    }
    Ok(())
}

/// The course's experiment for [`REFERENCE_EPOCHS`] epochs: the final cost and accuracy on
/// the whole moons data.
///
/// # Errors
/// What the trainer reports.
pub fn course_training<T: Scalar, B: Backend<T>>() -> Result<[f64; 2]> {
    let synthetic =
        datasets::SyntheticConfig { n_examples: REFERENCE_EXAMPLES, ..Default::default() };
    let data = datasets::moons(synthetic)?.cast::<T>();
    let mut mlp = Mlp::<T, B>::new(&MlpConfig::course())?;
    let optimizer = OptimizerConfig::Adam(AdamConfig::default()).build::<T, B>()?;
    let schedule = ScheduleConfig::Constant.build(LR)?;
    let config = TrainConfig { epochs: REFERENCE_EPOCHS, ..TrainConfig::default() };
    Trainer::new(config, optimizer, schedule)?.fit(&mut mlp, &data, &mut Silent)?;
    let eval = evaluate(&mlp, &data)?;
    Ok([eval.cost, eval.accuracy.unwrap_or(f64::NAN)])
}

/// The largest `|a - b| / max(|a|, tiny)` over paired values; NaN when a value is NaN or
/// the lengths differ.
fn max_rel_diff(reference: &[f64], got: &[f64]) -> f64 {
    if reference.len() != got.len() {
        return f64::NAN;
    }
    reference.iter().zip(got).fold(0.0, |worst: f64, (&r, &g)| {
        let d = (r - g).abs() / r.abs().max(f64::MIN_POSITIVE);
        if d.is_nan() || worst.is_nan() { f64::NAN } else { worst.max(d) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_differences_fail_on_nan_and_length() {
        assert_eq!(max_rel_diff(&[2.0, 4.0], &[2.0, 5.0]), 0.25);
        assert!(max_rel_diff(&[1.0], &[f64::NAN]).is_nan());
        assert!(max_rel_diff(&[1.0], &[1.0, 2.0]).is_nan());
        let failed = Outcome {
            what: String::new(),
            backend: "x",
            error: f64::NAN,
            limit: 1.0,
            detail: String::new(),
        };
        assert!(!failed.passed());
    }

    #[test]
    fn ndarray_passes_the_course_gemm_check() {
        for case in &gemm::COURSE {
            let error = gemm_error::<f32, Ndarray>(case).unwrap();
            assert!(error <= 1.0, "{}: {error}", case.id());
        }
    }
}
