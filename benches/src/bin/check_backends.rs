//! Checks every backend against the reference answers of `descent_benches::check` and exits
//! with status 1 when one differs; `cargo xtask bench` runs it before timing anything.

use std::process::ExitCode;

fn main() -> ExitCode {
    let outcomes = match descent_benches::check::run_all() {
        Ok(outcomes) => outcomes,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let width = outcomes.iter().map(|o| o.what.len()).max().unwrap_or(0);
    let mut n_failed = 0;
    for o in &outcomes {
        let verdict = if o.passed() { "ok" } else { "FAILED" };
        println!(
            "{:<width$}  {:<8}  error {:9.2e}  limit {:7.0e}  {verdict:<6}  {}",
            o.what, o.backend, o.error, o.limit, o.detail
        );
        n_failed += usize::from(!o.passed());
    }
    println!("{} passed, {} failed", outcomes.len() - n_failed, n_failed);
    if n_failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
