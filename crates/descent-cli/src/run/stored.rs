//! The settings a checkpoint stores as `setting.<flag>` entries (the flag's text, defaults
//! included), and reading them back for `--resume`: each value parsed once, where the
//! command line does not give the flag.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::PathBuf;

use anyhow::anyhow;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args};

use crate::args::TrainArgs;

/// Flags that are not settings of the run: never stored, never taken from a checkpoint.
const NOT_STORED: [&str; 11] = [
    "epochs",
    "prefetch",
    "init",
    "save",
    "plot",
    "history",
    "final_eval",
    "quiet",
    "resume",
    "checkpoint_every",
    "max_memory",
];

/// The ids of the flags of `descent train` (not of their groups).
fn train_flags() -> Vec<String> {
    <TrainArgs as Args>::augment_args(clap::Command::new("descent train"))
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect()
}

/// The flags given on the command line (not defaults).
pub fn explicit_flags(matches: &ArgMatches) -> Vec<String> {
    train_flags()
        .into_iter()
        .filter(|id| matches.value_source(id) == Some(ValueSource::CommandLine))
        .collect()
}

/// The settings of a run as `flag → text` (defaults included, so a later change of a default
/// does not change a resumed run). A switch is `true` or `false`.
pub fn settings_of(matches: &ArgMatches) -> BTreeMap<String, String> {
    train_flags()
        .into_iter()
        .filter(|id| !NOT_STORED.contains(&id.as_str()))
        .filter_map(|id| {
            let raw: Vec<String> =
                matches.get_raw(&id)?.map(|v| v.to_string_lossy().into_owned()).collect();
            (!raw.is_empty()).then(|| (id, raw.join(",")))
        })
        .collect()
}

/// The settings a resumed run stores: `ours` (this command line, defaults included) with the
/// checkpoint's entries over the defaults, and the flags given now over both.
pub fn overlay(
    ours: &mut BTreeMap<String, String>,
    stored: &BTreeMap<String, String>,
    explicit: &[String],
) {
    for (id, text) in stored {
        if !explicit.contains(id) {
            ours.insert(id.clone(), text.clone());
        }
    }
}

/// Where a resumed run's settings come from: the flags given now, else the checkpoint's text.
pub struct Stored {
    values: Option<BTreeMap<String, String>>,
    explicit: Vec<String>,
    path: PathBuf,
}

impl Stored {
    /// A fresh run: every setting is the command line's (given or default).
    pub fn fresh() -> Self {
        Self { values: None, explicit: Vec::new(), path: PathBuf::new() }
    }

    /// A resumed run: the checkpoint `path`'s `values`, and the flags given now.
    pub fn new(values: BTreeMap<String, String>, explicit: Vec<String>, path: PathBuf) -> Self {
        Self { values: Some(values), explicit, path }
    }

    /// Whether flag `id` is given on the command line of a resumed run (on a fresh run,
    /// every flag counts as given).
    pub fn given(&self, id: &str) -> bool {
        self.values.is_none() || self.explicit.iter().any(|e| e == id)
    }

    /// Flag `id`'s value: `now` (the command line's, given or default) unless the run resumes
    /// and the flag is not given; then the checkpoint's text parsed by `parse`, or `now` when
    /// the checkpoint has no such entry.
    pub fn value<V, E: Display>(
        &self,
        id: &str,
        now: V,
        parse: impl Fn(&str) -> Result<V, E>,
    ) -> anyhow::Result<V> {
        let Some(values) = &self.values else { return Ok(now) };
        if self.given(id) {
            return Ok(now);
        }
        match values.get(id) {
            None => Ok(now),
            Some(text) => parse(text).map_err(|e| {
                anyhow!(
                    "--resume {}: the stored setting {id} = {text:?} is not valid: {e}",
                    self.path.display()
                )
            }),
        }
    }
}

/// A `ValueEnum` from its name on the command line.
pub(super) fn enum_value<V: clap::ValueEnum>(text: &str) -> Result<V, String> {
    V::from_str(text, false)
}

#[cfg(test)]
mod tests {
    use clap::{Args, FromArgMatches};

    use super::*;

    fn matches(argv: &[&str]) -> ArgMatches {
        let mut full = vec!["descent train"];
        full.extend_from_slice(argv);
        <TrainArgs as Args>::augment_args(clap::Command::new("descent train"))
            .try_get_matches_from(full)
            .unwrap()
    }

    #[test]
    fn a_resumed_run_takes_what_is_not_given_now_from_the_checkpoint() {
        let first = matches(&["--threads", "3", "--lr", "0.01", "--standardize"]);
        let stored = settings_of(&first);
        assert_eq!(stored["threads"], "3");
        assert_eq!(stored["standardize"], "true");
        assert_eq!(stored["dtype"], "f32", "defaults are stored too");
        assert!(!stored.contains_key("backend"), "no --backend: chosen from the shapes again");
        assert!(!stored.contains_key("epochs") && !stored.contains_key("final_eval"));

        // Resumed with --lr only: the thread count and the switch are the checkpoint's.
        let now = matches(&["--lr", "0.02", "--resume", "c.safetensors"]);
        let args = TrainArgs::from_arg_matches(&now).unwrap();
        let explicit = explicit_flags(&now);
        assert_eq!(explicit, ["lr", "resume"]);
        let s = Stored::new(stored.clone(), explicit.clone(), PathBuf::from("c.safetensors"));
        assert!(s.given("lr") && !s.given("threads"));
        let threads = s.value("threads", args.threads, |t| t.parse::<usize>().map(Some)).unwrap();
        assert_eq!(threads, Some(3));
        assert!(s.value("standardize", args.standardize, str::parse::<bool>).unwrap());
        let lr = s.value("lr", args.lr, str::parse::<f64>).unwrap();
        assert_eq!(lr, 0.02, "given now");
        let mut ours = settings_of(&now);
        overlay(&mut ours, &stored, &explicit);
        assert_eq!((ours["threads"].as_str(), ours["lr"].as_str()), ("3", "0.02"));

        // A stored value that does not parse names the checkpoint and the setting.
        let bad = BTreeMap::from([("threads".to_owned(), "many".to_owned())]);
        let s = Stored::new(bad, Vec::new(), PathBuf::from("c.safetensors"));
        let err = s.value("threads", None, |t| t.parse::<usize>().map(Some)).unwrap_err();
        assert!(err.to_string().contains("c.safetensors") && err.to_string().contains("threads"));
    }
}
