//! What checking the flags adds to the library's `validate()`: the flag that a library error is
//! about, `--layers` parsing, output paths, and a resumed run's network.

use std::path::Path;

use anyhow::anyhow;
use clap::ArgMatches;
use clap::parser::ValueSource;
use descent::train::{Activation, Output};
use descent_io::ModelFile;

/// The flag of each setting the library's checks name, by the words their messages start with
/// (longest first where one is a prefix of another).
const FLAG_OF_SETTING: [(&str, &str); 14] = [
    ("l2 ", "--l2"),
    ("keep probability ", "--dropout"),
    ("the weight of class ", "--class-weight"),
    ("beta1 ", "--beta1"),
    ("beta2 ", "--beta2"),
    ("beta ", "--beta"),
    ("epsilon ", "--epsilon"),
    ("weight decay ", "--weight-decay"),
    ("decay rate ", "--decay-rate"),
    ("interval ", "--decay-interval"),
    ("epochs ", "--epochs"),
    ("lr0 ", "--lr"),
    ("batch size ", "--batch-size"),
    ("clip norm ", "--clip-norm"),
];

/// A library error about a setting, prefixed with its flag (`fallback` when the message names
/// no setting of [`FLAG_OF_SETTING`]).
pub fn flag_error(e: descent::Error, fallback: &'static str) -> anyhow::Error {
    let flag = match &e {
        descent::Error::InvalidArgument { reason, .. } => FLAG_OF_SETTING
            .iter()
            .find(|(words, _)| reason.starts_with(words))
            .map_or(fallback, |&(_, flag)| flag),
        _ => fallback,
    };
    anyhow::Error::new(e).context(flag)
}

/// Parses `--layers 5,2` into hidden widths; an empty string means no hidden layer.
pub fn parse_layers(text: &str) -> anyhow::Result<Vec<usize>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, item)| {
            let item = item.trim();
            if item.is_empty() {
                return Err(anyhow!("--layers {text}: item {} is empty", i + 1));
            }
            match item.parse::<usize>() {
                Ok(0) => {
                    Err(anyhow!("--layers {text}: item {} is 0; widths must be at least 1", i + 1))
                }
                Ok(n) => Ok(n),
                Err(_) => Err(anyhow!(
                    "--layers {text}: item {} ({item:?}) is not a positive integer",
                    i + 1
                )),
            }
        })
        .collect()
}

/// Parses `--dropout 0.8` or `--dropout 0.8,0.5` into keep probabilities (checked by the
/// library); `1` is off.
pub fn parse_dropout(text: &str) -> anyhow::Result<Vec<f64>> {
    text.split(',')
        .enumerate()
        .map(|(i, item)| {
            item.trim().parse::<f64>().map_err(|_| {
                anyhow!("--dropout {text}: item {} ({:?}) is not a number", i + 1, item.trim())
            })
        })
        .collect()
}

/// `--class-weight`: `balanced`, or `CLASS=W,…`.
#[derive(Debug, Clone, PartialEq)]
pub enum ClassWeight {
    /// n / (K·n_k) over the training rows.
    Balanced,
    /// The weight of each class named; a class not named weighs 1.
    Given(Vec<(String, f64)>),
}

/// Parses `--class-weight`.
pub fn parse_class_weight(text: &str) -> anyhow::Result<ClassWeight> {
    if text.trim() == "balanced" {
        return Ok(ClassWeight::Balanced);
    }
    let pairs = text
        .split(',')
        .map(|item| {
            let (name, w) = item.split_once('=').ok_or_else(|| {
                anyhow!("--class-weight {text}: {item:?} is not CLASS=W (or give balanced)")
            })?;
            let w: f64 = w.trim().parse().map_err(|_| {
                anyhow!("--class-weight {text}: the weight of {:?} is not a number", name.trim())
            })?;
            Ok((name.trim().to_owned(), w))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ClassWeight::Given(pairs))
}

/// Refuses an output path whose folder does not exist, before any training.
pub fn check_output_folder(flag: &str, path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(anyhow!(
            "{flag} {}: the folder {} does not exist",
            path.display(),
            dir.display()
        ));
    }
    if path.is_dir() {
        return Err(anyhow!("{flag} {}: is a folder, not a file", path.display()));
    }
    Ok(())
}

/// Refuses a figure name that ends in neither `.png` nor `.svg`, before any training.
pub fn check_plot_extension(path: Option<&Path>) -> anyhow::Result<()> {
    let Some(path) = path else { return Ok(()) };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("png") || ext.eq_ignore_ascii_case("svg") {
        Ok(())
    } else {
        Err(anyhow!("--plot {}: the figure is PNG or SVG; name it .png or .svg", path.display()))
    }
}

/// A resumed run continues the checkpoint's network: `--layers`, `--activation` and
/// `--output` given again must describe it.
pub fn same_network(
    model: &ModelFile,
    hidden: Option<&[usize]>,
    activation: Activation,
    output: Option<Output>,
) -> anyhow::Result<()> {
    let stored = &model.layers[1..model.layers.len() - 1];
    if let Some(hidden) = hidden
        && hidden != stored
    {
        return Err(anyhow!(
            "--layers: the checkpoint's hidden layers are {stored:?}, not {hidden:?}; a resumed \
             run continues the same network"
        ));
    }
    if activation != model.activation {
        return Err(anyhow!(
            "--activation: the checkpoint's network uses {}; a resumed run continues the same \
             network",
            model.activation.name()
        ));
    }
    if let Some(output) = output
        && output != model.output
    {
        return Err(anyhow!(
            "--output: the checkpoint's output layer is {}; a resumed run continues the same \
             network",
            model.output.name()
        ));
    }
    Ok(())
}

/// Refuses the flags of `refused` (clap ids, each with the reason) that are given on the
/// command line: the `train` flags a subcommand accepts through its shared flags but cannot
/// honour.
pub fn refuse_given(matches: &ArgMatches, refused: &[(&str, &str)]) -> anyhow::Result<()> {
    for (id, why) in refused {
        if matches.value_source(id) == Some(ValueSource::CommandLine) {
            return Err(anyhow!("--{}: {why}", id.replace('_', "-")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_parse_and_bad_items_are_named() {
        assert_eq!(parse_layers("5,2").unwrap(), [5, 2]);
        assert_eq!(parse_layers(" 16 , 8 ").unwrap(), [16, 8]);
        assert!(parse_layers("").unwrap().is_empty());
        let msg = |t: &str| parse_layers(t).unwrap_err().to_string();
        assert_eq!(msg("5,,2"), "--layers 5,,2: item 2 is empty");
        assert_eq!(msg("5,0"), "--layers 5,0: item 2 is 0; widths must be at least 1");
        assert!(msg("5,x").contains("item 2 (\"x\")"), "{}", msg("5,x"));
        assert!(msg("-3").contains("item 1"));
    }

    #[test]
    fn dropout_and_class_weights_parse_and_name_their_flag() {
        assert_eq!(parse_dropout("0.8").unwrap(), [0.8]);
        assert_eq!(parse_dropout("0.8, 0.5").unwrap(), [0.8, 0.5]);
        assert!(parse_dropout("0.8,x").unwrap_err().to_string().contains("item 2"));
        assert_eq!(parse_class_weight("balanced").unwrap(), ClassWeight::Balanced);
        let given = parse_class_weight("0=1,1=2.5").unwrap();
        assert_eq!(given, ClassWeight::Given(vec![("0".into(), 1.0), ("1".into(), 2.5)]));
        assert!(parse_class_weight("0:1").unwrap_err().to_string().contains("--class-weight"));
    }

    #[test]
    fn library_errors_are_named_by_their_flag() {
        use descent::train::optim::{AdamConfig, MomentumConfig, OptimizerConfig};
        use descent::train::schedule::ScheduleConfig;
        let flag = |e: descent::Error| format!("{:#}", flag_error(e, "--fallback"));
        let adam = OptimizerConfig::Adam(AdamConfig { beta1: 1.5, ..AdamConfig::default() });
        assert!(flag(adam.validate().unwrap_err()).starts_with("--beta1: "));
        let adam = OptimizerConfig::Adam(AdamConfig { beta2: -1.0, ..AdamConfig::default() });
        assert!(flag(adam.validate().unwrap_err()).starts_with("--beta2: "));
        let momentum = OptimizerConfig::Momentum(MomentumConfig { beta: 1.0, nesterov: false });
        assert!(flag(momentum.validate().unwrap_err()).starts_with("--beta: "));
        let step = ScheduleConfig::Step { rate: 1.0, interval: 0 };
        assert!(flag(step.validate_for(0.1).unwrap_err()).starts_with("--decay-interval: "));
        let e = ScheduleConfig::Constant.validate_for(f64::NAN).unwrap_err();
        assert!(flag(e).starts_with("--lr: "));
        let rate = ScheduleConfig::InverseTime { rate: -1.0 };
        assert!(flag(rate.validate_for(0.1).unwrap_err()).starts_with("--decay-rate: "));
        let other = descent::Error::InvalidArgument { op: "x", reason: "something".into() };
        assert!(flag(other).starts_with("--fallback: "));
    }
}
