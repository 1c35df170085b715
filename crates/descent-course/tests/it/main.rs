//! Integration tests of descent-course: the random stream and the moons against numpy and
//! scikit-learn, and the seven notebook runs against the numbers the notebook printed.

mod changed;
mod fixture;
mod moons;
mod notebook;
mod rng;
