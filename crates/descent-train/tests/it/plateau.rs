//! `Plateau` against PyTorch's `ReduceLROnPlateau`: every case of
//! `tests/fixtures/plateau/fixtures.json` (written by `make_fixtures.py` beside it) replayed
//! step by step, the rate and the state after each step compared **exactly** (`==` on the
//! f64 values): the scheduler's arithmetic is one product, one `max`, one subtraction and
//! comparisons, each a correctly rounded IEEE-754 double operation in Python as in Rust, and
//! Python's `json` writes the shortest representation that reads back to the same double.

use descent_train::schedule::{Plateau, PlateauConfig, PlateauState, ThresholdMode};
use descent_train::stopping::Mode;

use crate::json::Json;

fn fixtures() -> Json {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/plateau/fixtures.json");
    Json::parse(&std::fs::read_to_string(path).unwrap())
}

/// A fixture's number, `null` read as NaN (a metric) or infinity (a best value before any).
fn num_or(v: &Json, missing: f64) -> f64 {
    match v {
        Json::Null => missing,
        v => v.num(),
    }
}

fn config(s: &Json) -> PlateauConfig {
    let mode = match s.get("mode").str() {
        "min" => Mode::Min,
        "max" => Mode::Max,
        other => panic!("mode {other}"),
    };
    let threshold_mode = match s.get("threshold_mode").str() {
        "rel" => ThresholdMode::Rel,
        "abs" => ThresholdMode::Abs,
        other => panic!("threshold mode {other}"),
    };
    PlateauConfig {
        mode,
        factor: s.get("factor").num(),
        patience: s.get("patience").num() as usize,
        threshold: s.get("threshold").num(),
        threshold_mode,
        cooldown: s.get("cooldown").num() as usize,
        min_lr: s.get("min_lr").num(),
        eps: s.get("eps").num(),
    }
}

#[test]
fn rates_equal_pytorch_reduce_lr_on_plateau() {
    let fx = fixtures();
    let cases = fx.get("cases").arr();
    assert!(cases.len() >= 10);
    for case in cases {
        let name = case.get("name").str();
        let config = config(case.get("settings"));
        let mut plateau = Plateau::new(config, case.get("lr0").num()).unwrap();
        let values = case.get("values").arr();
        let steps = case.get("steps").arr();
        assert_eq!(values.len(), steps.len(), "{name}");
        let mut reductions = 0;
        for (i, (v, want)) in values.iter().zip(steps).enumerate() {
            let before = plateau.lr();
            let lr = plateau.step(num_or(v, f64::NAN));
            reductions += usize::from(lr != before);
            let got = *plateau.state();
            let expected = PlateauState {
                best: num_or(want.get("best"), config.mode.worst()),
                num_bad_epochs: want.get("num_bad_epochs").num() as usize,
                cooldown_counter: want.get("cooldown_counter").num() as usize,
                lr: want.get("lr").num(),
            };
            assert_eq!(got, expected, "{name}: after step {i}");
            assert_eq!(lr.to_bits(), expected.lr.to_bits(), "{name}: after step {i}");
        }
        assert!(reductions >= 2, "{name}: the case reduces the rate ({reductions} times)");
    }
}

#[test]
fn a_state_restored_continues_as_the_run_it_came_from() {
    let fx = fixtures();
    for case in fx.get("cases").arr() {
        let config = config(case.get("settings"));
        let values: Vec<f64> =
            case.get("values").arr().iter().map(|v| num_or(v, f64::NAN)).collect();
        let mut whole = Plateau::new(config, case.get("lr0").num()).unwrap();
        let mut first = whole;
        for &v in &values {
            whole.step(v);
        }
        let (head, tail) = values.split_at(values.len() / 3);
        for &v in head {
            first.step(v);
        }
        let saved = *first.state();
        let mut resumed = Plateau::from_state(config, saved).unwrap();
        for &v in tail {
            resumed.step(v);
        }
        assert_eq!(resumed, whole, "{}", case.get("name").str());
    }
}
