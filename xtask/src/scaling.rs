//! The bench report's thread scaling: per workload and dtype, how much the second thread
//! buys the backend that is fastest on one thread.

use std::fmt::Write as _;

use crate::workloads::{DTYPES, Results, Row, WORKLOADS};

/// One workload and dtype: the backend fastest on 1 thread and its times on 1 and 2 threads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scaling {
    pub workload: String,
    pub dtype: String,
    /// The backend with the smallest 1-thread time.
    pub backend: String,
    pub one: f64,
    pub two: f64,
    /// The smallest 2-thread time of any backend, and that backend.
    pub best_two: (f64, String),
}

impl Scaling {
    /// The backend's 1-thread seconds over its 2-thread seconds: above 1 means the second
    /// thread paid.
    pub(crate) fn ratio(&self) -> f64 {
        self.one / self.two
    }
}

fn seconds<'a>(res: &'a Results, w: &str, d: &str, t: usize) -> impl Iterator<Item = &'a Row> {
    res.rows.iter().filter(move |r| r.workload == w && r.dtype == d && r.threads == t)
}

/// The scaling of every workload and dtype with rows on both thread counts.
pub(crate) fn scalings(res: &Results) -> Vec<Scaling> {
    let mut out = Vec::new();
    for w in WORKLOADS {
        for d in DTYPES {
            let Some(best) = seconds(res, w, d, 1).min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            else {
                continue;
            };
            let Some(two) = seconds(res, w, d, 2).find(|r| r.backend == best.backend) else {
                continue;
            };
            let Some(best_two) =
                seconds(res, w, d, 2).min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            else {
                continue;
            };
            out.push(Scaling {
                workload: w.into(),
                dtype: d.into(),
                backend: best.backend.clone(),
                one: best.seconds,
                two: two.seconds,
                best_two: (best_two.seconds, best_two.backend.clone()),
            });
        }
    }
    out
}

/// The "Thread scaling" section.
pub(crate) fn render(out: &mut String, res: &Results) {
    let _ = writeln!(out, "## Thread scaling\n");
    let _ = writeln!(
        out,
        "Per workload and dtype, the backend fastest on 1 thread: its `Trainer::fit` seconds on \
         1 thread divided by the same backend's on 2 threads (above 1: the second thread paid; \
         below 1: it cost), and the fastest backend on 2 threads.\n"
    );
    let _ = writeln!(
        out,
        "| workload | dtype | backend (fastest on 1 thread) | 1 thread s | 2 threads s | 1T ÷ 2T | fastest on 2 threads |"
    );
    let _ = writeln!(out, "|---|---|---|--:|--:|--:|---|");
    for s in scalings(res) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.4} | {:.4} | {:.2}× | {} {:.4} s |",
            s.workload,
            s.dtype,
            s.backend,
            s.one,
            s.two,
            s.ratio(),
            s.best_two.1,
            s.best_two.0,
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(backend: &str, threads: usize, seconds: f64) -> Row {
        Row {
            workload: "tabular".into(),
            backend: backend.into(),
            dtype: "f32".into(),
            threads,
            seconds,
            steps: 10,
            examples: 100,
            epochs: 1,
            flops_per_example: 1.0,
            final_cost: None,
            peak_rss_kib: None,
            state_bytes: 1,
            ceiling: None,
        }
    }

    #[test]
    fn the_ratio_is_the_fastest_one_thread_backend_against_itself() {
        let res = Results {
            rows: vec![
                row("ndarray", 1, 3.0),
                row("faer", 1, 2.0),
                row("ndarray", 2, 1.0),
                row("faer", 2, 4.0),
            ],
            ..Results::default()
        };
        let s = scalings(&res);
        assert_eq!(s.len(), 1, "only tabular f32 has rows");
        assert_eq!(s[0].backend, "faer");
        assert_eq!(s[0].ratio(), 0.5);
        assert_eq!(s[0].best_two, (1.0, "ndarray".to_owned()));
        let mut text = String::new();
        render(&mut text, &res);
        assert!(
            text.contains("| tabular | f32 | faer | 2.0000 | 4.0000 | 0.50× | ndarray 1.0000 s |")
        );
    }
}
