//! A reader for the plain-text fixtures written by `tests/fixtures/make_fixtures.py`.

/// One fixture file: lines `key value value …`.
pub struct Fixture(pub &'static str);

/// Random-stream values (`rng.txt`).
pub const RNG: Fixture = Fixture(include_str!("../fixtures/rng.txt"));
/// The course's moons (`moons.txt`).
pub const MOONS: Fixture = Fixture(include_str!("../fixtures/moons.txt"));
/// The initial weights and first permutations (`init.txt`).
pub const INIT: Fixture = Fixture(include_str!("../fixtures/init.txt"));
/// The notebook's runs replayed by numpy on the machine that wrote the fixtures
/// (`notebook.txt`).
pub const NOTEBOOK: Fixture = Fixture(include_str!("../fixtures/notebook.txt"));
/// Two runs with changed settings, replayed by numpy.
pub const CHANGED: Fixture = Fixture(include_str!("../fixtures/changed.txt"));

impl Fixture {
    /// The values of `key`, as written (Python's shortest round-trip form: parsing gives the
    /// exact doubles back).
    ///
    /// # Panics
    /// When the key is missing or a value does not parse: the fixture is broken.
    pub fn f64s(&self, key: &str) -> Vec<f64> {
        let line = self
            .0
            .lines()
            .find_map(|l| l.strip_prefix(key).and_then(|rest| rest.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("fixture key {key} is missing"));
        line.split(' ').map(|v| v.parse().unwrap_or_else(|e| panic!("{key}: {v}: {e}"))).collect()
    }

    /// The values of `key` as counts or indices.
    pub fn usizes(&self, key: &str) -> Vec<usize> {
        self.f64s(key)
            .into_iter()
            .map(|v| {
                assert!(v >= 0.0 && v.fract() == 0.0, "{key}: {v} is not an index");
                v as usize
            })
            .collect()
    }
}
