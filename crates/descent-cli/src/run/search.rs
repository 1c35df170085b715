//! The search space of `descent tune`: the `train` flags as written, where a value `A..B`
//! (`:log`, `:log1m`, `:log2`) is a range and `x|y|z` a choice, and every trial's settings
//! drawn from `--seed` alone (one uniform number per trial and dimension, from a hash of the
//! three, so a trial's settings do not depend on how many trials or jobs there are).

use std::any::TypeId;
use std::fmt;

use anyhow::{Context, anyhow, bail};
use clap::{ArgMatches, Args, Command, FromArgMatches};
use serde_json::Value;

use crate::args::TrainArgs;

/// How a range is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Uniformly.
    Linear,
    /// Log-uniformly (`:log`), e.g. a learning rate.
    Log,
    /// `1 − x` log-uniformly (`:log1m`), e.g. a β close to 1.
    Log1m,
    /// A power of two, the exponent uniform (`:log2`), e.g. a batch size.
    Log2,
}

impl Scale {
    /// Whether a plot of this dimension takes a log axis.
    pub fn is_log(self) -> bool {
        self != Self::Linear
    }
}

/// What one searched flag may take.
#[derive(Debug, Clone, PartialEq)]
pub enum Space {
    /// A number between `lo` and `hi` (inclusive), an integer for an integer flag.
    Range { lo: f64, hi: f64, scale: Scale, integer: bool },
    /// One of the texts.
    Choice(Vec<String>),
}

/// One searched flag.
#[derive(Debug, Clone)]
pub struct Dimension {
    /// Its column and JSON key: the flag without the dashes, `_` for `-` (`batch_size`).
    pub key: String,
    /// Its values.
    pub space: Space,
    /// Where its value stands among the words.
    at: usize,
}

/// One trial's value of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    /// A sampled real number.
    Real(f64),
    /// A sampled integer.
    Integer(u64),
    /// One of a choice's texts.
    Text(String),
}

impl fmt::Display for Setting {
    /// The value as the command line takes it (the shortest text that reads back the same).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Real(x) => write!(f, "{x}"),
            Self::Integer(n) => write!(f, "{n}"),
            Self::Text(t) => f.write_str(t),
        }
    }
}

impl Setting {
    /// The value in JSON: a number for a range, a string for a choice.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Real(x) => Value::from(*x),
            Self::Integer(n) => Value::from(*n),
            Self::Text(t) => Value::from(t.as_str()),
        }
    }

    /// The value on a plot's axis: the number, or the choice's position.
    pub fn position(&self, space: &Space) -> f64 {
        match (self, space) {
            (Self::Real(x), _) => *x,
            (Self::Integer(n), _) => *n as f64,
            (Self::Text(t), Space::Choice(options)) => {
                options.iter().position(|o| o == t).unwrap_or(0) as f64
            }
            (Self::Text(_), _) => 0.0,
        }
    }
}

/// The `train` words of a search with its dimensions.
#[derive(Debug, Clone)]
pub struct Search {
    words: Vec<String>,
    /// The searched flags, in the order given.
    pub dims: Vec<Dimension>,
}

/// The `train` flags' parser, as `descent tune` reads a trial's words.
fn train_command() -> Command {
    TrainArgs::augment_args(Command::new("descent tune").allow_negative_numbers(true))
        .no_binary_name(true)
}

impl Search {
    /// Reads the `train` words: `--flag=value` becomes two words, and a value that is a
    /// range or a choice a dimension.
    pub fn parse(words: &[String]) -> anyhow::Result<Self> {
        let command = train_command();
        let mut out = Vec::with_capacity(words.len());
        let mut dims = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            i += 1;
            let Some(long) = word.strip_prefix("--") else {
                out.push(word.clone());
                continue;
            };
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            let arg = command.get_arguments().find(|a| a.get_long() == Some(name));
            // An unknown flag is named by clap when the trial is parsed.
            let Some(arg) = arg.filter(|a| a.get_action().takes_values()) else {
                out.push(word.clone());
                continue;
            };
            out.push(format!("--{name}"));
            let value = match inline {
                Some(v) => v,
                None if i < words.len() => {
                    i += 1;
                    words[i - 1].clone()
                }
                None => continue, // clap says the value is missing
            };
            let flag = format!("--{name}");
            let integer = [TypeId::of::<usize>(), TypeId::of::<u64>(), TypeId::of::<u32>()]
                .iter()
                .any(|t| arg.get_value_parser().type_id() == *t);
            if let Some(space) = space_of(&value, integer).map_err(|e| anyhow!("{flag}: {e}"))? {
                if name == "seed" {
                    bail!("--seed: the trials' settings follow from --seed; it cannot be searched");
                }
                let key = name.replace('-', "_");
                dims.push(Dimension { key, space, at: out.len() });
            }
            out.push(value);
        }
        Ok(Self { words: out, dims })
    }

    /// Trial `trial`'s settings, one per dimension, drawn from `seed`.
    pub fn settings(&self, seed: u64, trial: usize) -> Vec<Setting> {
        self.dims
            .iter()
            .enumerate()
            .map(|(d, dim)| sample(&dim.space, uniform(seed, trial, d)))
            .collect()
    }

    /// The `train` flags of a trial with `settings` (the first setting of every dimension
    /// when `None`: to read the fixed flags, such as `--seed`), parsed.
    pub fn train_args(
        &self,
        settings: Option<&[Setting]>,
    ) -> anyhow::Result<(TrainArgs, ArgMatches)> {
        let mut words = self.words.clone();
        for (d, dim) in self.dims.iter().enumerate() {
            words[dim.at] = match settings {
                Some(s) => s[d].to_string(),
                None => sample(&dim.space, 0.0).to_string(),
            };
        }
        let matches = train_command()
            .try_get_matches_from(&words)
            .map_err(|e| anyhow!("{}", one_line(&e)))?;
        let args = TrainArgs::from_arg_matches(&matches).map_err(|e| anyhow!("{e}"))?;
        Ok((args, matches))
    }

    /// Checks every option of every choice and both ends of every range (the other
    /// dimensions at their first value) against the `train` parser, so a bad option is
    /// refused before a trial draws it.
    pub fn check(&self) -> anyhow::Result<()> {
        let first: Vec<Setting> = self.dims.iter().map(|d| sample(&d.space, 0.0)).collect();
        for (d, dim) in self.dims.iter().enumerate() {
            let candidates: Vec<Setting> = match &dim.space {
                Space::Choice(options) => options.iter().cloned().map(Setting::Text).collect(),
                range => vec![sample(range, 0.0), sample(range, 1.0 - f64::EPSILON)],
            };
            for value in candidates {
                let mut settings = first.clone();
                settings[d] = value.clone();
                self.train_args(Some(&settings)).with_context(|| {
                    format!("--{}: the value {value} of the search", dim.key.replace('_', "-"))
                })?;
            }
        }
        Ok(())
    }

    /// `key=value` for each dimension, to name a trial in messages.
    pub fn describe(&self, settings: &[Setting]) -> String {
        let parts: Vec<String> =
            self.dims.iter().zip(settings).map(|(d, s)| format!("{}={s}", d.key)).collect();
        parts.join(", ")
    }
}

/// A clap error on one line: its message and its hints, without the usage.
pub fn one_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let parts: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more"))
        .map(|l| l.strip_prefix("error: ").unwrap_or(l))
        .collect();
    parts.join(" ")
}

/// The dimension a value describes, `None` for a plain value.
fn space_of(value: &str, integer: bool) -> Result<Option<Space>, String> {
    if value.contains('|') {
        let options: Vec<String> = value.split('|').map(str::to_owned).collect();
        if options.iter().any(String::is_empty) {
            return Err(format!("{value:?}: a choice has no empty option (x|y|z)"));
        }
        return Ok(Some(Space::Choice(options)));
    }
    let (range, scale) = match value.rsplit_once(':') {
        Some((r, "log")) => (r, Scale::Log),
        Some((r, "log1m")) => (r, Scale::Log1m),
        Some((r, "log2")) => (r, Scale::Log2),
        _ => (value, Scale::Linear),
    };
    let Some((a, b)) = range.split_once("..") else {
        return match scale {
            Scale::Linear => Ok(None),
            _ => Err(format!("{value:?}: a scale follows a range, as in 1e-4..1e-1:log")),
        };
    };
    let (Ok(lo), Ok(hi)) = (a.parse::<f64>(), b.parse::<f64>()) else {
        return match scale {
            Scale::Linear => Ok(None), // a path such as ../data.csv
            _ => Err(format!("{value:?}: a range is two numbers, A..B")),
        };
    };
    check_range(lo, hi, scale, integer).map_err(|e| format!("{value:?}: {e}"))?;
    Ok(Some(Space::Range { lo, hi, scale, integer: integer || scale == Scale::Log2 }))
}

fn check_range(lo: f64, hi: f64, scale: Scale, integer: bool) -> Result<(), String> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err("a range needs finite A < B".into());
    }
    match scale {
        Scale::Log if lo <= 0.0 => Err(":log needs 0 < A".into()),
        Scale::Log1m if hi >= 1.0 => {
            Err(":log1m samples 1 − x log-uniformly: it needs B < 1".into())
        }
        Scale::Log2 if lo.max(1.0).log2().ceil() > hi.log2().floor() => {
            Err(":log2 needs a power of two between A and B".into())
        }
        _ if integer && lo.ceil() > hi.floor() => Err("no integer between A and B".into()),
        _ => Ok(()),
    }
}

/// The value of `space` at `u` in [0, 1).
fn sample(space: &Space, u: f64) -> Setting {
    let Space::Range { lo, hi, scale, integer } = *space else {
        let Space::Choice(options) = space else { unreachable!("a range returned above") };
        let i = ((u * options.len() as f64) as usize).min(options.len() - 1);
        return Setting::Text(options[i].clone());
    };
    let x = match scale {
        Scale::Linear if integer => {
            let (a, b) = (lo.ceil(), hi.floor());
            return Setting::Integer((a + (u * (b - a + 1.0)).floor()).min(b) as u64);
        }
        Scale::Linear => lo + u * (hi - lo),
        Scale::Log => (lo.ln() + u * (hi.ln() - lo.ln())).exp(),
        Scale::Log1m => 1.0 - ((1.0 - lo).ln() + u * ((1.0 - hi).ln() - (1.0 - lo).ln())).exp(),
        Scale::Log2 => {
            let (a, b) = (lo.max(1.0).log2().ceil(), hi.log2().floor());
            let e = (a + (u * (b - a + 1.0)).floor()).min(b);
            return Setting::Integer(2f64.powf(e) as u64);
        }
    };
    if integer {
        Setting::Integer(x.round().clamp(lo.ceil(), hi.floor()) as u64)
    } else {
        // exp∘ln may step a hair outside the range.
        Setting::Real(x.clamp(lo, hi))
    }
}

/// A uniform number in [0, 1) for (seed, trial, dimension): SplitMix64 over the three.
fn uniform(seed: u64, trial: usize, dim: usize) -> f64 {
    let h = splitmix(seed ^ splitmix((trial as u64) ^ splitmix(dim as u64 ^ 0x7475_6e65)));
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn ranges_and_choices_become_dimensions_and_plain_values_stay() {
        let s = Search::parse(&words(
            "--data ../x.csv --lr 1e-4..1e-1:log --batch-size=16..256:log2 --beta1 0.8..0.999:log1m \
             --layers 16|32,16 --epochs 3 --l2 0..0.1 --patience 2..9",
        ))
        .unwrap();
        let keys: Vec<&str> = s.dims.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["lr", "batch_size", "beta1", "layers", "l2", "patience"]);
        assert_eq!(
            s.dims[1].space,
            Space::Range { lo: 16.0, hi: 256.0, scale: Scale::Log2, integer: true }
        );
        assert!(matches!(s.dims[5].space, Space::Range { integer: true, .. }));
        assert!(matches!(
            s.dims[4].space,
            Space::Range { integer: false, scale: Scale::Linear, .. }
        ));
        for trial in 0..200 {
            let v = s.settings(7, trial);
            let Setting::Real(lr) = v[0] else { panic!() };
            assert!((1e-4..=1e-1).contains(&lr));
            let Setting::Integer(b) = v[1] else { panic!() };
            assert!(b.is_power_of_two() && (16..=256).contains(&b));
            let Setting::Real(beta) = v[2] else { panic!() };
            assert!((0.8..=0.999).contains(&beta));
            let Setting::Integer(p) = v[5] else { panic!() };
            assert!((2..=9).contains(&p));
            let (args, _) = s.train_args(Some(&v)).unwrap();
            assert_eq!((args.lr, args.batch_size, args.epochs), (lr, b as usize, 3));
            assert_eq!(args.data.data, "../x.csv");
        }
        assert_eq!(s.settings(7, 5), s.settings(7, 5));
        assert_ne!(s.settings(7, 5), s.settings(8, 5));
    }

    #[test]
    fn log_scales_spread_over_the_decades() {
        let s = Search::parse(&words("--lr 1e-4..1e-0:log --beta 0.9..0.999:log1m")).unwrap();
        let (mut below, mut beta_below) = (0, 0);
        for trial in 0..4000 {
            let v = s.settings(1, trial);
            let (Setting::Real(lr), Setting::Real(beta)) = (&v[0], &v[1]) else { panic!() };
            below += usize::from(*lr < 1e-2);
            beta_below += usize::from(*beta < 0.99);
        }
        // Half the decades below 1e-2; half of 1 − β's decades above 0.01.
        assert!((1800..2200).contains(&below), "{below}");
        assert!((1800..2200).contains(&beta_below), "{beta_below}");
    }

    #[test]
    fn bad_ranges_name_the_flag() {
        for (w, needle) in [
            ("--lr 1..0.1", "--lr"),
            ("--lr 0..1:log", "--lr"),
            ("--beta1 0.9..1:log1m", "--beta1"),
            ("--batch-size 5..7:log2", "--batch-size"),
            ("--lr 0.1:log", "--lr"),
            ("--seed 1..9", "--seed"),
            ("--layers 16||32", "--layers"),
        ] {
            let e = Search::parse(&words(w)).unwrap_err().to_string();
            assert!(e.starts_with(needle), "{w}: {e}");
        }
    }
}
