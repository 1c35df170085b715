//! The course notebook "Optimization methods" (Improving Deep Neural Networks, week 2),
//! replayed by **descent** number for number.
//!
//! The notebook trains the `[2, 5, 2, 1]` network on scikit-learn's moons with mini-batch
//! gd, momentum and Adam, with and without learning-rate decay, and prints a table of costs
//! and accuracies every learner knows. Its randomness comes from numpy's legacy global
//! generator, so replaying it needs that stream exactly:
//! - [`RandomState`]: numpy's legacy `np.random` (MT19937 seeded as `np.random.seed`,
//!   `random_sample`, `randn`/`normal` by the polar method with its cached value,
//!   `permutation`/`shuffle` with the legacy bounded integers), equal to numpy bit for bit;
//! - [`make_moons`] / [`course_moons`]: scikit-learn's moons on that stream;
//! - [`Run`] and [`replay`]: the seven runs with the notebook's seeds, cost definition and
//!   decay timing, in `f64` on any [`Backend`](descent_core::Backend), with the numbers the
//!   notebook printed ([`Run::notebook`]) to compare against.
//!
//! # Example
//! ```
//! use descent_course::{Run, replay_with};
//! use descent_ndarray::Ndarray;
//!
//! # fn main() -> descent_core::Result<()> {
//! let res = replay_with::<Ndarray>(Run::Adam, |epoch, cost| {
//!     if epoch % 1000 == 0 {
//!         println!("Cost after epoch {epoch}: {cost:.6}");
//!     }
//! })?;
//! let notebook = Run::Adam.notebook();
//! assert_eq!(res.correct, notebook.correct); // 283 of 300: accuracy 0.9433333333333334
//! for (ours, printed) in res.printed_costs().iter().zip(notebook.costs) {
//!     assert!((ours - printed).abs() < 1e-6);
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod moons;
mod numpy_rng;
mod replay;
mod run;

pub use moons::{COURSE_NOISE, COURSE_SAMPLES, COURSE_SEED, course_moons, make_moons};
pub use numpy_rng::RandomState;
pub use replay::{
    BATCH_SIZE, FIRST_BATCH_SEED, Grid, LAYERS, Replay, he_init, replay, replay_settings,
    replay_until, replay_with,
};
pub use run::{EPOCHS, Notebook, PRINTED_EPOCHS, Run, Settings};
