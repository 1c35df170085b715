//! `make_moons` against scikit-learn on numpy's global generator.

use descent_course::{RandomState, course_moons, make_moons};

use crate::fixture::MOONS;

#[test]
fn the_course_moons_match_scikit_learn() {
    let data = course_moons().unwrap();
    let (x, y) = (MOONS.f64s("moons/X"), MOONS.f64s("moons/y"));
    assert_eq!(data.targets(), y.as_slice());
    assert_eq!(data.features().len(), x.len());
    let worst = data.features().iter().zip(&x).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    // Only numpy's vectorised sin and cos may round differently from Rust's (by an ulp).
    assert!(worst <= 1e-15, "largest difference {worst:e}");
    eprintln!("moons: largest difference to scikit-learn {worst:e}");
}

#[test]
fn make_moons_draws_the_shuffle_then_the_noise() {
    // Without noise, the stream moves by the shuffle's draws only, and the points lie on the
    // half circles exactly.
    let mut rng = RandomState::new(3);
    let data = make_moons(300, None, &mut rng).unwrap();
    let mut shuffled = RandomState::new(3);
    shuffled.shuffle(&mut [0_u8; 300]);
    assert_eq!(rng.next_u32(), shuffled.next_u32());
    for j in 0..300 {
        let (p, label) = (data.example(j), data.target(j)[0]);
        let r = if label == 0.0 { p[0].hypot(p[1]) } else { (p[0] - 1.0).hypot(p[1] - 0.5) };
        assert!((r - 1.0).abs() < 1e-15, "point {j}: {p:?}");
    }
}
